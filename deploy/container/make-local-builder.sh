#!/usr/bin/env bash
# Makes the build stage's base image where no container registry is reachable (this project's
# machines reach Debian's packages but no image registry): a Debian bookworm root made with
# debootstrap from Debian's packages (gcc, libc6-dev, busybox-static), plus this machine's Rust
# toolchain (rustc and cargo of `rustc --print sysroot`, about 600 MB), imported as
#
#   localhost/gallerysim-builder:bookworm
#
# which build.sh then passes as --build-arg BUILDER=... . With a registry, skip this: the
# Containerfile's default builder is docker.io/library/rust:1.95-slim-bookworm.
#
#   deploy/container/make-local-builder.sh [--force]      (root: debootstrap needs it)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=engine.sh source-path=SCRIPTDIR
. "$here/engine.sh"
image=${BUILDER_IMAGE:-localhost/gallerysim-builder:bookworm}
engine=$(container_engine) || { echo "no container engine runs here: $engine" >&2; exit 1; }
if [ "${1:-}" != "--force" ] && "$engine" image inspect "$image" >/dev/null 2>&1; then
    echo "$image exists (--force to make it again)"
    exit 0
fi
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
sysroot=$(rustc --print sysroot)
root=$(mktemp -d /var/tmp/gallerysim-builder.XXXXXX)
trap 'rm -rf "$root"' EXIT
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
echo "debootstrap bookworm into $root from $mirror ..."
debootstrap --variant=minbase --include=gcc,libc6-dev,busybox-static,ca-certificates \
    bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; exit 1; }
rm -f "$root.log"
mkdir -p "$root/usr/local/rust/bin" "$root/usr/local/cargo"
cp "$sysroot/bin/rustc" "$sysroot/bin/cargo" "$root/usr/local/rust/bin/"
cp -a "$sysroot/lib" "$root/usr/local/rust/"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
echo "importing $image ($("$sysroot/bin/rustc" --version)) ..."
tar -C "$root" -c . | "$engine" import \
    --change 'ENV PATH=/usr/local/rust/bin:/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV CARGO_HOME=/usr/local/cargo' \
    - "$image" >/dev/null
"$engine" image ls "$image"
