#!/usr/bin/env python3
"""What the Job controller does when a pod of a rendered Job exits with a given code.

    policy.py JOB.yaml CONTAINER EXIT_CODE

Follows the documented podFailurePolicy semantics (batch/v1): rules are tried in order; the
first whose onExitCodes matches (operator In / NotIn, containerName if given) decides:
FailJob, FailIndex, Ignore or Count. Count falls back to backoffLimitPerIndex (Indexed Jobs:
only that index is retried) or backoffLimit. Exit code 0 is success. Prints one line and
exits 0; exits 2 on a manifest it cannot read.
"""
import sys

import yaml


def main() -> int:
    path, container, code = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d and d.get("kind") == "Job"]
    if len(docs) != 1:
        print(f"{path}: expected one Job, found {len(docs)}", file=sys.stderr)
        return 2
    spec = docs[0]["spec"]
    name = docs[0]["metadata"]["name"]
    if code == 0:
        print(f"{name}: exit 0 -> success")
        return 0
    action = "Count"
    for rule in spec.get("podFailurePolicy", {}).get("rules", []):
        on = rule.get("onExitCodes")
        if not on or on.get("containerName", container) != container:
            continue
        hit = code in on["values"]
        if (on["operator"] == "In") == hit:
            action = rule["action"]
            break
    if action == "FailJob":
        print(f"{name}: exit {code} -> FailJob: the Job fails at once, no retry")
    elif action == "FailIndex":
        print(f"{name}: exit {code} -> FailIndex: this index fails, no retry")
    elif action == "Ignore":
        print(f"{name}: exit {code} -> Ignore: retried, not counted")
    elif "backoffLimitPerIndex" in spec:
        print(f"{name}: exit {code} -> Count: this index alone is retried, "
              f"at most {spec['backoffLimitPerIndex']} times")
    else:
        print(f"{name}: exit {code} -> Count: retried, at most "
              f"{spec.get('backoffLimit', 6)} failures for the whole Job")
    return 0


if __name__ == "__main__":
    sys.exit(main())
