# shellcheck shell=bash
# Local stand-ins for the public images the Dockerfile and docker-compose.yml name, built from
# Debian packages and this machine's own toolchains (no image registry is reachable here).
# Source after tests/ops/lib.sh and tests/ops/podman.sh. Each function builds its image once
# per machine (skipped when it exists) and sets a variable with its name:
#   standin_debian    STANDIN_DEBIAN    debian:bookworm-slim  (debootstrap minbase)
#   standin_node      STANDIN_NODE      node:20-bookworm-slim (this machine's Node.js and npm)
#   standin_rust      STANDIN_RUST      rust:1-bookworm       (this machine's Rust toolchain + gcc)
#   standin_postgres  STANDIN_POSTGRES  postgres:15           (Debian's postgresql-15, the
#                                       official image's environment variables and PGDATA)
#   standin_redis     STANDIN_REDIS     redis:7-alpine        (Debian's redis-server)
#   standin_prometheus STANDIN_PROMETHEUS prom/prometheus     (Debian's prometheus)
#   standin_alertmanager STANDIN_ALERTMANAGER prom/alertmanager (Debian's prometheus-alertmanager)
# The stand-ins carry this machine's CA bundle: package registries are reached through an
# egress proxy whose CA only that bundle holds (a site with its own CA does the same with its
# base images).
#   health_driver_start  runs `podman healthcheck run` on every running container with a
#                   healthcheck every 2 s until the test exits: podman arms HEALTHCHECK timers
#                   with systemd, which containers here do not have.

STANDIN_DEBIAN=localhost/standin/debian:bookworm-slim
STANDIN_NODE=localhost/standin/node:20-bookworm-slim
STANDIN_RUST=localhost/standin/rust:1-bookworm
STANDIN_POSTGRES=localhost/standin/postgres:15
STANDIN_REDIS=localhost/standin/redis:7-alpine
STANDIN_PROMETHEUS=localhost/standin/prometheus:latest
STANDIN_ALERTMANAGER=localhost/standin/alertmanager:latest
export STANDIN_DEBIAN STANDIN_NODE STANDIN_RUST STANDIN_POSTGRES STANDIN_REDIS STANDIN_PROMETHEUS STANDIN_ALERTMANAGER

# _standin_build NAME DIR [podman build options...]: builds NAME from DIR/Containerfile unless
# it exists; the build may use the host network (Debian's mirror).
_standin_build() {
    local name=$1 dir=$2
    shift 2
    cp /etc/ssl/certs/ca-certificates.crt "$dir/ca-certificates.crt"
    note "building stand-in $name"
    podman build --network host -q -t "$name" "$@" "$dir" >"$dir/build.log" 2>&1 ||
        { tail -n 30 "$dir/build.log" >&2; die "building the stand-in $name failed"; }
}

# _standin_dir: a fresh build context; its Containerfile is read from standard input.
_standin_dir() {
    local dir
    dir=$(mktemp -d "$OPS_WORK/standin.XXXXXX")
    cat >"$dir/Containerfile"
    echo "$dir"
}

standin_debian() {
    debian_base "$STANDIN_DEBIAN"
}

# apt-get inside a stand-in, the way the official images do it (no recommends, no lists kept).
_standin_apt='apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends'
_standin_apt_clean='rm -rf /var/lib/apt/lists/*'

standin_node() {
    podman image exists "$STANDIN_NODE" && return 0
    standin_debian
    local node npm_dir dir
    node=$(readlink -f "$(command -v node)") || die "node is not installed"
    npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
    dir=$(_standin_dir <<EOF
FROM $STANDIN_DEBIAN
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN cp /host/node /usr/local/bin/node && mkdir -p /usr/local/lib/node_modules \
    && cp -a /host/npm /usr/local/lib/node_modules/npm \
    && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm_config_cafile=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
EOF
    )
    _standin_build "$STANDIN_NODE" "$dir" -v "$node:/host/node:ro" -v "$npm_dir:/host/npm:ro"
}

standin_rust() {
    podman image exists "$STANDIN_RUST" && return 0
    standin_debian
    local toolchain dir
    toolchain=$(rustc --print sysroot) || die "rustc is not installed"
    dir=$(_standin_dir <<EOF
FROM $STANDIN_DEBIAN
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN $_standin_apt gcc libc6-dev && $_standin_apt_clean
RUN mkdir -p /usr/local/rust && cp -a /host/toolchain/bin /host/toolchain/lib /host/toolchain/libexec /host/toolchain/etc /usr/local/rust/
ENV PATH=/usr/local/cargo/bin:/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin CARGO_HOME=/usr/local/cargo
CMD ["bash"]
EOF
    )
    _standin_build "$STANDIN_RUST" "$dir" -v "$toolchain:/host/toolchain:ro"
}

standin_postgres() {
    podman image exists "$STANDIN_POSTGRES" && return 0
    standin_debian
    # As the official image: user postgres is uid 999; PGDATA=/var/lib/postgresql/data; on the
    # first start the entrypoint creates the cluster from POSTGRES_USER/POSTGRES_PASSWORD/
    # POSTGRES_DB; the server runs as postgres and listens on every interface.
    local dir
    dir=$(_standin_dir <<EOF
FROM $STANDIN_DEBIAN
RUN groupadd -r -g 999 postgres && useradd -r -u 999 -g 999 -d /var/lib/postgresql -s /bin/bash postgres \
    && $_standin_apt postgresql-15 && $_standin_apt_clean \
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql && chown -R 999:999 /var/lib/postgresql /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PGDATA=/var/lib/postgresql/data
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
EOF
    )
    cat >"$dir/entrypoint.sh" <<'EOF'
#!/bin/bash
set -euo pipefail
if [[ ${1:-} == postgres && $(id -u) == 0 ]]; then
    mkdir -p "$PGDATA" && chown -R postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [[ ${1:-} == postgres && ! -s $PGDATA/PG_VERSION ]]; then
    user=${POSTGRES_USER:-postgres}
    [[ -n ${POSTGRES_PASSWORD:-} ]] || { echo "POSTGRES_PASSWORD is required" >&2; exit 1; }
    # As the official image: local (socket) connections trusted, TCP ones need the password.
    initdb -D "$PGDATA" -U "$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    db=${POSTGRES_DB:-$user}
    [[ $db == postgres ]] || PGPASSWORD=$POSTGRES_PASSWORD psql -q -U "$user" -d postgres -c "CREATE DATABASE \"$db\""
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
if [[ ${1:-} == postgres ]]; then
    exec postgres -D "$PGDATA" -c listen_addresses='*' "${@:2}"
fi
exec "$@"
EOF
    chmod +x "$dir/entrypoint.sh"
    _standin_build "$STANDIN_POSTGRES" "$dir"
}

standin_redis() {
    podman image exists "$STANDIN_REDIS" && return 0
    standin_debian
    local dir
    dir=$(_standin_dir <<EOF
FROM $STANDIN_DEBIAN
RUN $_standin_apt redis-server redis-tools && $_standin_apt_clean && mkdir -p /data && chown redis:redis /data
WORKDIR /data
EXPOSE 6379
USER redis
CMD ["redis-server", "--protected-mode", "no"]
EOF
    )
    _standin_build "$STANDIN_REDIS" "$dir"
}

# The official Prometheus images: the binary is the entrypoint, arguments are its flags, the
# data lives in a directory owned by nobody.
standin_prometheus() {
    podman image exists "$STANDIN_PROMETHEUS" && return 0
    standin_debian
    local dir
    dir=$(_standin_dir <<EOF
FROM $STANDIN_DEBIAN
RUN $_standin_apt prometheus && $_standin_apt_clean && mkdir -p /prometheus && chown nobody:nogroup /prometheus
USER nobody
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
EOF
    )
    _standin_build "$STANDIN_PROMETHEUS" "$dir"
}

standin_alertmanager() {
    podman image exists "$STANDIN_ALERTMANAGER" && return 0
    standin_debian
    local dir
    dir=$(_standin_dir <<EOF
FROM $STANDIN_DEBIAN
RUN $_standin_apt prometheus-alertmanager && $_standin_apt_clean && mkdir -p /alertmanager && chown nobody:nogroup /alertmanager
USER nobody
WORKDIR /alertmanager
EXPOSE 9093
ENTRYPOINT ["/usr/bin/prometheus-alertmanager"]
CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]
EOF
    )
    _standin_build "$STANDIN_ALERTMANAGER" "$dir"
}

# health_driver_start: see the header.
health_driver_start() {
    (
        while sleep 2; do
            podman ps --format '{{.ID}} {{.Status}}' 2>/dev/null | awk '/\((healthy|unhealthy|starting)\)/ { print $1 }' |
                while read -r id; do podman healthcheck run "$id" </dev/null >/dev/null 2>&1 || true; done
        done
    ) &
    on_exit "kill $! 2>/dev/null"
}
