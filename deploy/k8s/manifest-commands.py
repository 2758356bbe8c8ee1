#!/usr/bin/env python3
"""Prints the command line of one container of a rendered manifest, NUL-separated, and its
environment as NAME=VALUE lines into a second file: the exact commands the cluster would run,
for deploy/container/check.sh to run inside the image.

    manifest-commands.py RENDERED.yaml CONTAINER ARGV_OUT ENV_OUT
"""
import sys

import yaml


def main() -> int:
    path, name, argv_out, env_out = sys.argv[1:5]
    with open(path, encoding="utf-8") as f:
        for doc in yaml.safe_load_all(f):
            spec = (doc or {}).get("spec", {})
            pod = spec.get("template", {}).get("spec", spec)
            for c in pod.get("containers", []):
                if c["name"] != name:
                    continue
                argv = list(c.get("command", [])) + list(c.get("args", []))
                with open(argv_out, "w", encoding="utf-8") as out:
                    out.write("".join(a + "\0" for a in argv))
                with open(env_out, "w", encoding="utf-8") as out:
                    out.write("".join(f"{e['name']}={e['value']}\n" for e in c.get("env", [])))
                return 0
    print(f"{path}: no container named {name}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
