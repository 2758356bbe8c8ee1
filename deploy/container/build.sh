#!/usr/bin/env bash
# Builds the gallerysim container image with podman or docker (whichever runs; ENGINE=docker
# to choose) from deploy/container/Containerfile.
#
#   deploy/container/build.sh [--prebuilt] [--tag IMAGE]     (default tag localhost/gallerysim:latest)
#
# The build context is the repository's tracked and new (not ignored) files, so target/ and
# output/ stay out; the crates are vendored into it, so the build stage is offline. --prebuilt copies target/release/gallerysim into the image instead of
# compiling it inside the build stage (fast; CI uses it); the compile is the default.
# The builder image: BUILDER=... if set; else localhost/gallerysim-builder:bookworm if it exists
# (make-local-builder.sh, for machines without a registry); else the Containerfile's default,
# the official Rust image.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=engine.sh source-path=SCRIPTDIR
. "$here/engine.sh"
tag=localhost/gallerysim:latest prebuilt=no
while [ $# -gt 0 ]; do
    case $1 in
        --prebuilt) prebuilt=yes ;;
        --tag) tag=${2:?--tag needs an image name}; shift ;;
        *) echo "usage: build.sh [--prebuilt] [--tag IMAGE]" >&2; exit 2 ;;
    esac
    shift
done
engine=$(container_engine) || { echo "build.sh: $engine" >&2; exit 1; }
args=()
if [ -n "${BUILDER:-}" ]; then
    args+=(--build-arg "BUILDER=$BUILDER")
elif "$engine" image inspect localhost/gallerysim-builder:bookworm >/dev/null 2>&1; then
    args+=(--build-arg BUILDER=localhost/gallerysim-builder:bookworm)
fi
ctx=$(mktemp -d /var/tmp/gallerysim-context.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
git -C "$repo" ls-files -z --cached --others --exclude-standard \
    | (cd "$repo" && tar --null --ignore-failed-read -T - -cf -) | tar -C "$ctx" -xf -
if [ $prebuilt = yes ]; then
    # The binary of this checkout (CI has just built it), linked against this machine's glibc:
    # the builder must be the same Debian release (bookworm) for its libraries to match.
    bin=${CARGO_TARGET_DIR:-$repo/target}/release/gallerysim
    # Reuse the binary when no source is newer (CI: `cargo test --release` just built it; a
    # plain `cargo build` would recompile dependencies whose features differ without dev-deps).
    if [ ! -x "$bin" ] || [ -n "$(find "$repo/src" "$repo/Cargo.toml" "$repo/Cargo.lock" -newer "$bin" -print -quit)" ]; then
        (cd "$repo" && cargo build --release --locked --quiet --bin gallerysim)
    fi
    mkdir -p "$ctx/prebuilt"
    cp "$bin" "$ctx/prebuilt/"
else
    # The crates go into the context (cargo vendor, from this machine's cargo cache or
    # crates.io), so the build stage needs no network and no registry certificate.
    mkdir -p "$ctx/.cargo"
    (cd "$repo" && cargo vendor --locked --quiet "$ctx/vendor")
    printf '[source.crates-io]\nreplace-with = "vendored"\n[source.vendored]\ndirectory = "vendor"\n' \
        >"$ctx/.cargo/config.toml"
fi
echo "building $tag with $engine ${args[*]} (prebuilt binary: $prebuilt) ..."
start=$(date +%s)
"$engine" build -f "$here/Containerfile" -t "$tag" "${args[@]}" "$ctx"
echo "built $tag in $(( $(date +%s) - start )) s; size: $("$engine" image inspect --format '{{.Size}}' "$tag") bytes"
