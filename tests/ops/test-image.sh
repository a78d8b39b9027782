#!/usr/bin/env bash
# Builds the container image from the repository's Dockerfile with the guide's literal
# `docker build` (the docker client driving podman through its API socket) and checks what a
# user of the image relies on:
#   - hadolint passes; the build args VERSION and GIT_COMMIT reach `/api/version`,
#     `llmchat version` and the OCI labels; the environment defaults to production;
#   - the runtime runs as uid 1001 in /app, exposes 3001, declares the /app/data volume and a
#     HEALTHCHECK with `llmchat health` (no curl in the image), and reports its size;
#   - `docker run --read-only --tmpfs /tmp` becomes healthy, serves the UI and a real chat with
#     the demo agent, keeps its data in the volume across containers, logs tls_roots=bundled
#     (no CA store in the image) or =system when a CA bundle is mounted;
#   - production without JWT_SECRET exits 2 naming it; SIGTERM exits 0 within the grace period;
#   - a source-only change rebuilds without recompiling the dependencies (their layer is
#     reused) and `--target builder` gives the build stage.
# The public base images are replaced by local stand-ins built from Debian packages
# (tests/ops/standins.sh) through the Dockerfile's NODE_IMAGE/RUST_IMAGE/RUNTIME_IMAGE args.
# Leaves the image as localhost/llmchat:ci for the compose and kube-play tests.
#
# Usage: bash tests/ops/test-image.sh [--help]
# Environment: LLMCHAT_IMAGE (default localhost/llmchat:ci), OPS_IMAGE_REBUILD=full also
#   rebuilds the whole image after the source change (about 3 minutes more).
# Needs: root, podman, buildah, runc, debootstrap, the docker client (docker.io), Rust and Node
#   (copied into the stand-ins).
# Exit codes: 0 passed, 1 a check failed.
set -euo pipefail
# shellcheck source=tests/ops/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/ops/podman.sh
source tests/ops/podman.sh
# shellcheck source=tests/ops/standins.sh
source tests/ops/standins.sh

case ${1:-} in
    -h | --help) sed -n '2,/^# Exit codes/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

T0=$SECONDS
image=${LLMCHAT_IMAGE:-localhost/llmchat:ci}
version=9.8.7-ci
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo 0123456789ab)
venv=$(ops_venv)

section "hadolint Dockerfile"
"$venv/bin/hadolint" Dockerfile || die "hadolint found problems in the Dockerfile"
note "clean"

section "stand-in base images (Debian packages)"
podman_setup
need docker docker.io
export DOCKER_BUILDKIT=0
t=$SECONDS
standin_node
standin_rust
standin_debian
note "node, rust and debian stand-ins ready in $((SECONDS - t)) s"
build_args=(--build-arg "NODE_IMAGE=$STANDIN_NODE" --build-arg "RUST_IMAGE=$STANDIN_RUST"
    --build-arg "RUNTIME_IMAGE=$STANDIN_DEBIAN" --build-arg "VERSION=v$version" --build-arg "GIT_COMMIT=$commit"
    --build-arg "BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)" --network host)

section "docker build -t $image . (the docker client, podman's engine)"
t=$SECONDS
docker build "${build_args[@]}" -t "$image" . >"$OPS_WORK/build.log" 2>&1 ||
    { tail -n 40 "$OPS_WORK/build.log" >&2; die "docker build failed"; }
build_s=$((SECONDS - t))
note "built in $build_s s"

section "image metadata"
inspect() { docker image inspect "$image" --format "$1"; }
[[ $(inspect '{{.Config.User}}') == 1001:1001 ]] || die "runs as '$(inspect '{{.Config.User}}')', not 1001:1001"
[[ $(inspect '{{.Config.WorkingDir}}') == /app ]] || die "WORKDIR is not /app"
inspect '{{json .Config.ExposedPorts}}' | grep -q '"3001/tcp"' || die "3001 is not exposed"
inspect '{{json .Config.Volumes}}' | grep -q '"/app/data"' || die "/app/data is not a volume"
inspect '{{json .Config.Env}}' | grep -q '"LLMCHAT_ENV=production"' || die "the image does not default to production"
health=$(podman image inspect "$image" --format '{{json .HealthCheck.Test}}')
[[ $health == *'"llmchat","health"'* ]] || die "the HEALTHCHECK is not llmchat health: $health"
[[ $(inspect '{{index .Config.Labels "org.opencontainers.image.version"}}') == "v$version" ]] || die "OCI version label is not v$version"
[[ $(inspect '{{index .Config.Labels "org.opencontainers.image.revision"}}') == "$commit" ]] || die "OCI revision label is not $commit"
if podman run --rm --entrypoint /bin/sh "$image" -c 'command -v curl || command -v wget' >/dev/null 2>&1; then
    die "the runtime image has curl or wget"
fi
size=$(inspect '{{.Size}}')
base_size=$(docker image inspect "$STANDIN_DEBIAN" --format '{{.Size}}')
note "user 1001:1001, WORKDIR /app, EXPOSE 3001, VOLUME /app/data, LLMCHAT_ENV=production, HEALTHCHECK $health"
note "OCI labels: version v$version, revision $commit; no curl/wget"
note "size $((size / 1048576)) MiB (base stand-in $((base_size / 1048576)) MiB; LLMChat adds $(((size - base_size) / 1048576)) MiB)"

# log_has CONTAINER TEXT: the container's log holds TEXT (conmon writes the log file
# asynchronously: give it up to 5 s).
log_has() {
    local i
    for ((i = 0; i < 20; i++)); do
        docker logs "$1" 2>&1 | grep -qF "$2" && return 0
        sleep 0.25
    done
    return 1
}

secret=ci-image-test-jwt-secret-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')xxxxxxxx
admin_password="image test passphrase 42"
volume=llmchat-ci-data-$$
on_exit "docker volume rm -f $volume >/dev/null 2>&1"

section "production without JWT_SECRET refuses to start"
# (docker run -d, then wait and logs: the docker client cannot attach through podman 4.3's API.)
cid=$(docker run -d "$image") || die "docker run failed"
rc=$(timeout 30 docker wait "$cid") || die "the container did not stop within 30 s without JWT_SECRET"
out=$(docker logs "$cid" 2>&1)
docker rm "$cid" >/dev/null
((rc == 2)) || { echo "$out" >&2; die "exit $rc without JWT_SECRET, expected 2"; }
grep -q JWT_SECRET <<<"$out" || { echo "$out" >&2; die "the error does not name JWT_SECRET"; }
note "exit 2: $(grep -m1 JWT_SECRET <<<"$out" | cut -c1-160)"

section "docker run --read-only --tmpfs /tmp (volume $volume)"
port=$(free_port "$((20000 + RANDOM % 10000))")
ctr=llmchat-ci-$$
on_exit "docker rm -f $ctr >/dev/null 2>&1"
t=$(date +%s.%N)
docker run -d --name "$ctr" --read-only --tmpfs /tmp -p "127.0.0.1:$port:3001" -v "$volume:/app/data" \
    -e JWT_SECRET="$secret" -e LLMCHAT_ADMIN_USERNAME=admin -e LLMCHAT_ADMIN_PASSWORD="$admin_password" \
    -e LOG_LEVEL=info "$image" >/dev/null || die "docker run failed"
healthy=''
for ((i = 0; i < 120; i++)); do
    podman healthcheck run "$ctr" >/dev/null 2>&1 && { healthy=$(date +%s.%N); break; }
    sleep 0.25
done
[[ -n $healthy ]] || { docker logs "$ctr" 2>&1 | tail -n 20 >&2; die "not healthy within 30 s"; }
[[ $(docker inspect "$ctr" --format '{{.State.Health.Status}}') == healthy ]] || die "docker inspect does not say healthy"
note "healthy $(awk "BEGIN { printf \"%.1f\", $healthy - $t }") s after docker run (HEALTHCHECK: llmchat health)"
base=http://127.0.0.1:$port
wait_http "$base/api/health" 10
got=$(curl -fsS "$base/api/version")
[[ $got == *"\"$version\""* && $got == *"$commit"* ]] || die "/api/version is $got, expected version $version and commit $commit"
exec_version=$(docker exec "$ctr" llmchat version)
[[ $exec_version == *"$version"* ]] || die "llmchat version in the container says: $exec_version"
note "/api/version: $got"
curl -fsS "$base/api/health" | grep -q '"environment":"production"' || die "/api/health does not say production"
curl -fsS "$base/" | grep -qi '<!doctype html>' || die "/ does not serve the web UI"
note "/ serves the web UI; /api/health says production"
python3 tests/ops/chat_check.py "$base" admin "$admin_password" | sed 's/^/    /' || die "no chat with the demo agent"
log_has "$ctr" '"tls_roots":"bundled"' || die "the log does not say tls_roots=bundled"
note "log: tls_roots=bundled (no CA store in the image)"
if docker logs "$ctr" 2>&1 | grep -qF "$secret"; then die "the JWT secret appears in the log"; fi
docker exec "$ctr" test -s /app/data/llmchat.db || die "no SQLite database in the /app/data volume"
if docker exec "$ctr" touch /app/x 2>/dev/null; then die "the root filesystem is writable"; fi
note "data in the volume (/app/data/llmchat.db); root filesystem read-only"

section "SIGTERM: exit 0 within the grace period"
t=$(date +%s.%N)
docker stop -t 60 "$ctr" >/dev/null
stopped=$(date +%s.%N)
code=$(docker inspect "$ctr" --format '{{.State.ExitCode}}')
[[ $code == 0 ]] || { docker logs "$ctr" 2>&1 | tail -n 10 >&2; die "exit code $code after SIGTERM"; }
log_has "$ctr" '"shutdown complete"' || die "no 'shutdown complete' in the log"
note "exit 0 $(awk "BEGIN { printf \"%.1f\", $stopped - $t }") s after docker stop (drain 5 s included)"
docker rm "$ctr" >/dev/null

section "a new container on the same volume keeps the data; a mounted CA bundle is used"
docker run -d --name "$ctr" --read-only --tmpfs /tmp -p "127.0.0.1:$port:3001" -v "$volume:/app/data" \
    -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
    -e JWT_SECRET="$secret" -e LOG_LEVEL=info "$image" >/dev/null || die "docker run failed"
wait_http "$base/api/health" 30
python3 tests/ops/chat_check.py "$base" admin "$admin_password" | sed 's/^/    /' || die "the admin of the first container cannot sign in"
log_has "$ctr" '"tls_roots":"system"' || { docker logs "$ctr" 2>&1 | grep -i tls >&2; die "with a CA bundle mounted the log does not say tls_roots=system"; }
note "the admin from the first container signs in and chats; tls_roots=system"
docker rm -f "$ctr" >/dev/null

section "--target builder"
t=$SECONDS
docker build "${build_args[@]}" --target builder -t localhost/llmchat:builder . >"$OPS_WORK/builder.log" 2>&1 ||
    { tail -n 20 "$OPS_WORK/builder.log" >&2; die "docker build --target builder failed"; }
podman run --rm --entrypoint /src/target/release/llmchat localhost/llmchat:builder version | grep -q "$version" ||
    die "the builder stage has no llmchat of version $version"
note "llmchat:builder in $((SECONDS - t)) s (cached layers), has target/release/llmchat"
# The tag stays: removing it would make podman delete the builder stage's cached layers (they
# are its parents), and the next builds (the deps-stage check below, deploy.sh in test-compose) would
# compile every dependency again.

section "a source-only change reuses the dependency layer"
# The first build's builder stage compiled only LLMChat on top of the deps stage...
compiled=$(awk '/STEP [0-9]+\/[0-9]+: RUN touch src\/main.rs/ { on = 1; next } /STEP [0-9]+\/[0-9]+:/ { on = 0 } on && /^ *Compiling / { n++ } END { print n + 0 }' "$OPS_WORK/build.log")
# (When an earlier run on this machine built the same sources, the whole builder stage comes from
# podman's cache and compiles nothing; that is just as good.)
builder_cached=$(awk '/STEP [0-9]+\/[0-9]+: RUN touch src\/main.rs/ { on = 1; next } /STEP [0-9]+\/[0-9]+:/ { on = 0 } on && /Using cache/ { c = 1 } END { print c + 0 }' "$OPS_WORK/build.log")
if [[ $builder_cached == 1 ]]; then
    ((compiled == 0)) || die "the builder stage came from the cache yet compiled $compiled crates"
elif ((compiled < 1 || compiled > 2)); then
    grep -n 'STEP\|Compiling llmchat' "$OPS_WORK/build.log" | head -n 40 >&2
    die "the builder stage compiled $compiled crates (only llmchat expected)"
fi
# ...and a changed source leaves the deps stage entirely in the cache.
ctx=$OPS_WORK/context
mkdir -p "$ctx"
git ls-files -z --cached --others --exclude-standard | grep -zv '^web/node_modules/' |
    xargs -0 cp --parents -t "$ctx" 2>/dev/null || true
cp Dockerfile .dockerignore "$ctx/"
printf '\n// rebuilt by tests/ops/test-image.sh\n' >>"$ctx/src/main.rs"
t=$SECONDS
docker build "${build_args[@]}" --target deps -t localhost/llmchat:ci-deps "$ctx" >"$OPS_WORK/rebuild.log" 2>&1 ||
    { tail -n 30 "$OPS_WORK/rebuild.log" >&2; die "the deps stage did not build from the changed sources"; }
grep -A2 'cargo build --release --locked --bin llmchat *&& rm -rf src' "$OPS_WORK/rebuild.log" | grep -q 'Using cache' ||
    { grep -n 'STEP\|Using cache\|Compiling' "$OPS_WORK/rebuild.log" | head -n 40 >&2; die "the dependency layer was rebuilt"; }
if grep -q '^ *Compiling ' "$OPS_WORK/rebuild.log"; then die "the deps stage compiled something after a source change"; fi
note "builder stage compiled $compiled crate(s) on the deps stage; after a source change the deps stage came from the cache in $((SECONDS - t)) s"

if [[ ${OPS_IMAGE_REBUILD:-0} == full ]]; then
    section "the full rebuild after the source change"
    t=$SECONDS
    docker build "${build_args[@]}" -t localhost/llmchat:ci-rebuild "$ctx" >"$OPS_WORK/rebuild-full.log" 2>&1 ||
        { tail -n 30 "$OPS_WORK/rebuild-full.log" >&2; die "the rebuild failed"; }
    compiled=$(grep -c '^ *Compiling ' "$OPS_WORK/rebuild-full.log" || true)
    ((compiled <= 2)) || die "the rebuild compiled $compiled crates (only llmchat expected)"
    note "rebuilt in $((SECONDS - t)) s (first build $build_s s), $compiled crate(s) compiled"
fi

printf '\nPASS test-image (%s s; image %s, %s MiB)\n' "$((SECONDS - T0))" "$image" "$((size / 1048576))"
