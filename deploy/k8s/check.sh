#!/usr/bin/env bash
# Validates the manifests against the Kubernetes JSON schemas, offline (the schemas ship with
# the kubernetes-validate package from PyPI), rejecting unknown fields.
set -euo pipefail
cd "$(dirname "$0")"
command -v kubernetes-validate >/dev/null || pip install -q kubernetes-validate
kubernetes-validate --strict gallerysim-shards.yaml gallerysim-merge.yaml
