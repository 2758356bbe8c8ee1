# shellcheck shell=bash
# Sourced by the container scripts: picks a container engine that really runs.
# container_engine prints "podman" or "docker" (ENGINE=... to choose), or a reason, and
# returns 1 when neither can run a container here (a docker client without a daemon, say).
container_engine() {
    local e
    for e in ${ENGINE:-podman docker}; do
        command -v "$e" >/dev/null 2>&1 || continue
        if "$e" info >/dev/null 2>&1; then echo "$e"; return 0; fi
    done
    echo "neither podman nor docker can run containers here (apt-get install podman runc)"
    return 1
}
