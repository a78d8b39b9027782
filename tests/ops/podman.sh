# shellcheck shell=bash
# Containers for the operations-kit tests, on Debian's podman (no Docker engine needed).
# Source after tests/ops/lib.sh. Defines:
#   podman_setup    checks podman/buildah/runc, writes the two settings this kind of machine
#                   needs to /etc/containers/containers.conf (runc; ulimits podman may set),
#                   starts podman's Docker-compatible API socket and exports DOCKER_HOST so
#                   that the `docker` and `docker-compose` clients drive podman.
#   debian_base NAME  makes image NAME (e.g. localhost/standin/debian:bookworm-slim) from
#                   Debian packages with debootstrap --variant=minbase, once per machine
#                   (the root filesystem tarball is cached in $OPS_TARGET/ops-cache).
# Registries of container images are not reachable here, so tests build stand-ins for the
# public base images from Debian packages and pass their names in as build arguments.

podman_setup() {
    need podman podman
    need buildah buildah
    need runc runc
    local conf=/etc/containers/containers.conf
    if ! grep -qs '^# llmchat-ops' "$conf"; then
        if ((EUID != 0)); then
            die "$conf lacks the settings podman needs here (runtime = \"runc\", default_ulimits); run the tests as root once or add them"
        fi
        mkdir -p /etc/containers
        # crun fails on this kernel's hybrid cgroups; raising ulimits above the sandbox's is refused.
        cat >>"$conf" <<'CONF'
# llmchat-ops: settings for podman on this machine (tests/ops/podman.sh)
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[containers]
default_ulimits = ["nofile=20000:20000", "nproc=1024:1024"]
CONF
    fi
    local sock=${OPS_PODMAN_SOCKET:-/run/llmchat-ops/podman.sock}
    mkdir -p "$(dirname "$sock")"
    # A service left by an earlier run whose directory is gone cannot start containers: replace it.
    local pid
    for pid in $(pgrep -f "podman system service --time=0 unix://$sock" || true); do
        if [[ $(readlink "/proc/$pid/cwd" 2>/dev/null) == *"(deleted)" ]]; then
            kill "$pid" 2>/dev/null || true
            sleep 1
        fi
    done
    if ! curl -fsS --max-time 2 --unix-socket "$sock" http://d/_ping >/dev/null 2>&1; then
        rm -f "$sock"
        # From /: the service outlives this run, and a working directory inside a checkout that
        # is later deleted makes every container start fail ("write child: broken pipe").
        (cd / && nohup podman system service --time=0 "unix://$sock" >"$(dirname "$sock")/podman-service.log" 2>&1 &)
        local i
        for ((i = 0; i < 40; i++)); do
            curl -fsS --max-time 2 --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 && break
            sleep 0.25
        done
        ((i < 40)) || die "podman's API socket did not come up at $sock (see $(dirname "$sock")/podman-service.log)"
    fi
    export DOCKER_HOST=unix://$sock
}

# The Debian mirror apt uses here (first deb URI of the main archive).
debian_mirror() {
    local uri
    uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
        grep -v security | head -n 1 | awk '{ print ($1 == "deb") ? $2 : $2 }')
    echo "${uri:-http://deb.debian.org/debian}"
}

debian_base() {
    local name=$1
    if podman image exists "$name"; then return 0; fi
    need debootstrap debootstrap
    local cache=$OPS_TARGET/ops-cache tarball
    tarball=$cache/bookworm-minbase.tar
    mkdir -p "$cache"
    if [[ ! -s $tarball ]]; then
        local root=$OPS_WORK/rootfs
        note "debootstrap --variant=minbase bookworm (about 80 s)"
        debootstrap --variant=minbase bookworm "$root" "$(debian_mirror)" >"$OPS_WORK/debootstrap.log" 2>&1 ||
            { tail -n 20 "$OPS_WORK/debootstrap.log" >&2; die "debootstrap failed"; }
        # As the official slim images: no apt lists, caches or docs.
        rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* "$root"/usr/share/man/*
        tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
        rm -rf "$root"
    fi
    podman import --change 'CMD ["bash"]' "$tarball" "$name" >/dev/null
}
