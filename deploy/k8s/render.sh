#!/usr/bin/env bash
# Prints a manifest template of this folder with its parameters filled in, each set once:
#
#   NAME=campus SHARDS=16 [PARALLELISM=8] [IMAGE=...] [RUN_OPTIONS="--runs 2000"] \
#       deploy/k8s/render.sh gallerysim-shards.yaml | kubectl apply -f -
#
# NAME names the run (Jobs gallerysim-NAME-shards and -merge, folder /data/NAME on the volume);
# SHARDS is N, used for completions and for --shard K/N alike. RUN_OPTIONS are options for
# every shard (--runs, --seed, --set, --prices, budgets), split on spaces.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
template=${1:?usage: render.sh TEMPLATE.yaml (with NAME, SHARDS, ... in the environment)}
[ -f "$template" ] || template=$here/$template
: "${NAME:?set NAME, the run name (lower-case letters, digits, -)}"
: "${SHARDS:?set SHARDS, the number of shards}"
PARALLELISM=${PARALLELISM:-$SHARDS}
IMAGE=${IMAGE:-registry.example.edu/gallerysim:latest}
RUN_OPTIONS=${RUN_OPTIONS:-}
die() { echo "render.sh: $*" >&2; exit 2; }
[[ $NAME =~ ^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$ ]] \
    || die "NAME '$NAME' must be 1-40 lower-case letters, digits or '-' (it names Jobs and pods)"
[[ $SHARDS =~ ^[1-9][0-9]{0,3}$ ]] || die "SHARDS '$SHARDS' must be a whole number 1..9999"
[[ $PARALLELISM =~ ^[1-9][0-9]*$ ]] || die "PARALLELISM '$PARALLELISM' must be a whole number >= 1"
[[ $IMAGE =~ ^[A-Za-z0-9._:/@-]+$ ]] || die "IMAGE '$IMAGE' is not an image reference"
[[ $RUN_OPTIONS =~ ^[A-Za-z0-9\ ._/=,:+-]*$ ]] \
    || die "RUN_OPTIONS may hold letters, digits, spaces and . _ / = , : + - only (it is split on spaces)"
sed -e "s|\${NAME}|$NAME|g" -e "s|\${SHARDS}|$SHARDS|g" -e "s|\${PARALLELISM}|$PARALLELISM|g" \
    -e "s|\${IMAGE}|$IMAGE|g" -e "s|\${RUN_OPTIONS}|$RUN_OPTIONS|g" "$template"
