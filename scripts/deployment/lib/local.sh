# shellcheck shell=bash
# deploy.sh --target local: releases side by side on this host, switched with zero failed
# requests (the new release listens beside the old one on the same port with SO_REUSEPORT,
# then the old one drains and exits).
#
# Layout under ROOT ($LLMCHAT_DEPLOY_ROOT; /opt/llmchat, or ./deploy for development):
#   releases/<version>/   llmchat (the binary), config/, RELEASE (facts), .env -> ../../shared/.env,
#                         data -> ../../shared/data
#   current, previous     symlinks to releases/<version>
#   shared/.env           the environment's secrets and settings (dotenv, mode 600)
#   shared/data/          the SQLite database and uploads (when DATABASE_URL is not set)
#   run/<version>.pid     the process of a running release
#   logs/<version>.log    its output (JSON lines in production)
#   backups/              deploy.sh --backup's files (scripts/backup/backup.sh)
#   deploy.log            one line per deploy, rollback or stop

# --- paths and processes ---------------------------------------------------------------------

local_root_default() {
    if [[ -n ${LLMCHAT_DEPLOY_ROOT:-} ]]; then
        echo "$LLMCHAT_DEPLOY_ROOT"
    elif [[ $ENVIRONMENT == development ]]; then
        echo "$SOURCE_DIR/deploy"
    else
        echo /opt/llmchat
    fi
}

local_init() {
    ROOT=${ROOT:-$(local_root_default)}
    if ((DRY_RUN)); then
        [[ -d $ROOT ]] || info "(dry run) $ROOT does not exist yet"
    else
        mkdir -p "$ROOT"/{releases,shared/data,run,logs,backups} || fail "$EX_FAILED" "cannot create $ROOT"
        ROOT=$(cd "$ROOT" && pwd -P)
        exec 8>"$ROOT/.deploy.lock"
        flock -n 8 || fail "$EX_LOCKED" "another deploy is running in $ROOT (lock $ROOT/.deploy.lock)"
    fi
    need_tool ss iproute2
    need_tool curl curl
    need_tool jq jq
    need_tool flock util-linux
}

# The version a link points to (empty when there is no link).
link_version() {
    local target
    target=$(readlink "$ROOT/$1" 2>/dev/null) || return 0
    basename "$target"
}

# pid_of VERSION: the pid of the release's server when it runs (the pid file is checked
# against the process's working directory, so a reused pid is not mistaken for it).
pid_of() {
    local file=$ROOT/run/$1.pid pid cwd
    [[ -r $file ]] || return 0
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || return 0
    [[ $cwd == "$ROOT/releases/$1" ]] || return 0
    echo "$pid"
}

# in_release VERSION ARGS...: runs the release's llmchat as its server would run: in the
# release directory (./.env, ./config, ./data) with a clean environment, so that nothing of
# the caller's (LLMCHAT_DEPLOY_ROOT and the like, which the server would refuse) leaks in.
in_release() {
    local version=$1
    shift
    (cd "$ROOT/releases/$version" && env -i "${SERVER_ENV[@]}" ./llmchat "$@")
}

SERVER_ENV=()
server_env() {
    SERVER_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="${HOME:-/}"
        LANG="${LANG:-C.UTF-8}" LLMCHAT_ENV="$ENVIRONMENT")
    [[ -z ${TZ:-} ]] || SERVER_ENV+=(TZ="$TZ")
    ((!REUSE_PORT)) || SERVER_ENV+=(LLMCHAT_SERVER__REUSE_PORT=true)
}

# duration_s "1m 30s" -> 90 (humantime as `llmchat config check` prints it; ms round up).
duration_s() {
    local total=0 part n
    for part in $1; do
        n=${part%%[a-z]*}
        [[ $n =~ ^[0-9]+$ ]] || continue
        case ${part#"$n"} in
            ms) total=$((total + (n + 999) / 1000)) ;;
            s) total=$((total + n)) ;;
            m) total=$((total + n * 60)) ;;
            h) total=$((total + n * 3600)) ;;
        esac
    done
    echo "$total"
}

# release_settings VERSION: PORT, HEALTH_URL, STOP_WAIT (drain + grace + 5 s) from the
# release's own view of its configuration. Fails (EX_FAILED) when the configuration is invalid.
release_settings() {
    local json rc=0
    json=$(in_release "$1" config check 2>"$WORK/config-check.err") || rc=$?
    if ((rc != 0)); then
        sed 's/^/    | /' "$WORK/config-check.err" >&2
        fail "$EX_FAILED" "release $1: its configuration is invalid (llmchat config check exit $rc; shared .env: $ROOT/shared/.env); nothing was changed"
    fi
    PORT=$(jq -r '.server.port' <<<"$json")
    local host
    host=$(jq -r '.server.host' <<<"$json")
    case $host in
        0.0.0.0 | "") host=127.0.0.1 ;;
        :: | "[::]") host="[::1]" ;;
        *:*) host="[$host]" ;;
    esac
    HEALTH_URL="http://$host:$PORT"
    STOP_WAIT=$(($(duration_s "$(jq -r '.shutdown_drain' <<<"$json")") + $(duration_s "$(jq -r '.shutdown_grace' <<<"$json")") + 5))
    # Whether this binary knows server.reuse_port (SO_REUSEPORT).
    if jq -e '.server | has("reuse_port")' <<<"$json" >/dev/null; then REUSE_PORT=1; else REUSE_PORT=0; fi
    server_env
}

listening() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -q "pid=$2,"; }

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$HEALTH_URL$1" 2>/dev/null || true; }

# The version answering /api/version right now (any process on the port).
live_version() { curl -fsS --max-time 2 "$HEALTH_URL/api/version" 2>/dev/null | jq -r '.version // empty' 2>/dev/null || true; }

# start_release VERSION: starts its server in the background, in its own session (a Ctrl-C
# of deploy.sh does not reach it), and records the pid.
start_release() {
    local version=$1 dir=$ROOT/releases/$1 log=$ROOT/logs/$1.log pid
    run_note "start $version: (cd $dir && LLMCHAT_ENV=$ENVIRONMENT${REUSE_PORT:+ LLMCHAT_SERVER__REUSE_PORT=true} ./llmchat serve) >>$log 2>&1 &"
    ((DRY_RUN)) && return 0
    printf '\n--- %s deploy.sh: starting %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$version" >>"$log"
    # Not inheriting the deploy lock (fd 8) nor our stdout (fd 3): the server outlives us.
    (cd "$dir" && exec setsid env -i "${SERVER_ENV[@]}" ./llmchat serve </dev/null >>"$log" 2>&1 8>&- 3>&-) &
    pid=$!
    echo "$pid" >"$ROOT/run/$version.pid"
    STARTED_PID=$pid
}

# wait_ready VERSION PID EXPECTED_VERSION: until the new process listens on the port, the
# port answers /api/health/ready 200 three times in a row and, when the old release reports
# another version, /api/version has shown the new one. Sets WHY on failure.
wait_ready() {
    local version=$1 pid=$2 expected=$3 deadline streak=0 seen_version=0 code
    ((DRY_RUN)) && return 0
    [[ $expected != "${OLD_APP_VERSION:-}" ]] || seen_version=1
    deadline=$(($(now_ms) + TIMEOUT * 1000))
    while (($(now_ms) < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            local rc=0
            wait "$pid" 2>/dev/null || rc=$?
            WHY="release $version exited (code $rc) before it was ready; its log says:"$'\n'"$(log_tail "$version")"
            return 1
        fi
        if listening "$PORT" "$pid"; then
            code=$(http_code /api/health/ready)
            if [[ $code == 200 ]]; then streak=$((streak + 1)); else streak=0; fi
            ((seen_version)) || [[ $(live_version) != "$expected" ]] || seen_version=1
            if ((streak >= 3 && seen_version)); then return 0; fi
        fi
        sleep 0.2
    done
    if ! listening "$PORT" "$pid"; then
        WHY="release $version (pid $pid) is not listening on port $PORT after ${TIMEOUT}s (see $ROOT/logs/$version.log)"
    else
        WHY="release $version (pid $pid) listens but is not ready after ${TIMEOUT}s: /api/health/ready answers $(http_code /api/health/ready) (see $ROOT/logs/$version.log)"
    fi
    return 1
}

# The end of a release's log without the per-request lines.
log_tail() { grep -v 'finished processing request' "$ROOT/logs/$1.log" | tail -n 12 | sed 's/^/    | /'; }

# soak VERSION PID: both releases serve for SOAK seconds; the new one must stay up and the
# port must stay ready all along, while the old one is still there to take over.
soak() {
    local version=$1 pid=$2 deadline code
    ((DRY_RUN)) && return 0
    ((SOAK > 0)) || return 0
    run_note "soak ${SOAK}s: $version (pid $pid) and ${OLD:-nothing} serve side by side; $version must stay up and ready"
    deadline=$(($(now_ms) + SOAK * 1000))
    while (($(now_ms) < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            local rc=0
            wait "$pid" 2>/dev/null || rc=$?
            WHY="release $version exited (code $rc) during the ${SOAK}s soak; its log says:"$'\n'"$(log_tail "$version")"
            return 1
        fi
        code=$(http_code /api/health/ready)
        if [[ $code != 200 ]]; then
            WHY="during the soak /api/health/ready answered $code (release $version, see $ROOT/logs/$version.log)"
            return 1
        fi
        sleep 0.25
    done
}

# stop_pid PID VERSION: SIGTERM (readiness turns 503, the listener stays open for the drain,
# in-flight requests get the grace period), SIGKILL when it outlives STOP_WAIT.
stop_pid() {
    local pid=$1 version=$2
    run_note "stop $version: kill -TERM $pid (drain, then exit; up to ${STOP_WAIT}s)"
    ((DRY_RUN)) && return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    # shellcheck disable=SC2016 # expanded by the inner bash
    if ! wait_until "$STOP_WAIT" bash -c '! kill -0 "$1" 2>/dev/null' _ "$pid"; then
        warn "release $version (pid $pid) still runs ${STOP_WAIT}s after SIGTERM: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    # The pid file may already name a newer process of the same release (--force restart).
    if [[ $(cat "$ROOT/run/$version.pid" 2>/dev/null) == "$pid" ]]; then rm -f "$ROOT/run/$version.pid"; fi
}

# switch_to VERSION: current -> releases/VERSION, previous -> what current was (atomic renames).
switch_to() {
    local version=$1 old
    old=$(link_version current)
    if [[ -n $old && $old != "$version" ]]; then
        run_note "ln -sfn releases/$version $ROOT/current (previous -> releases/$old)"
    else
        run_note "ln -sfn releases/$version $ROOT/current"
    fi
    ((DRY_RUN)) && return 0
    if [[ -n $old && $old != "$version" ]]; then
        ln -sfn "releases/$old" "$ROOT/.previous.tmp" && mv -T "$ROOT/.previous.tmp" "$ROOT/previous"
    fi
    ln -sfn "releases/$version" "$ROOT/.current.tmp" && mv -T "$ROOT/.current.tmp" "$ROOT/current"
}

# Connections still in a closing listener's accept queue are reset unless the kernel may move
# them to another listener of the same port (Linux >= 5.14).
ensure_migrate_req() {
    local value
    value=$(sysctl -n net.ipv4.tcp_migrate_req 2>/dev/null || echo missing)
    case $value in
        1) info "net.ipv4.tcp_migrate_req = 1: queued connections move to the new listener" ;;
        missing) warn "this kernel has no net.ipv4.tcp_migrate_req (Linux < 5.14): connections queued on the old listener when it closes are reset; a few requests may fail during the switch" ;;
        *)
            if ((EUID == 0)) && ((!DRY_RUN)) && sysctl -qw net.ipv4.tcp_migrate_req=1 2>/dev/null; then
                info "set net.ipv4.tcp_migrate_req = 1 (was $value): queued connections move to the new listener"
            else
                warn "net.ipv4.tcp_migrate_req is $value and cannot be set here (needs root: sysctl -w net.ipv4.tcp_migrate_req=1): connections queued on the old listener when it closes are reset"
            fi
            ;;
    esac
}

# --- preparing a release ---------------------------------------------------------------------

# binary_facts BIN: APP_VERSION and APP_COMMIT from `llmchat version`.
binary_facts() {
    local line
    line=$(env -i PATH=/usr/bin:/bin "$1" version 2>&1) || fail "$EX_FAILED" "$1 does not run: $line"
    [[ $line =~ ^llmchat\ ([^ ]+)\ \(commit\ ([^,\)]+) ]] || fail "$EX_FAILED" "$1 version printed '$line', not 'llmchat VERSION (commit …)'"
    APP_VERSION=${BASH_REMATCH[1]} APP_COMMIT=${BASH_REMATCH[2]}
}

first_env_file() {
    local env_file=$ROOT/shared/.env src=$SOURCE_DIR/config/secrets/$ENVIRONMENT.env
    [[ -e $env_file ]] && return 0
    ((DRY_RUN)) && { info "(dry run) would create $env_file"; return 0; }
    (
        umask 077
        if [[ -r $src ]]; then
            cp "$src" "$env_file"
            info "created $env_file from $src"
        else
            printf '# LLMChat %s settings and secrets for the releases under %s (dotenv).\n# See config/secrets/%s.env.example.\n' \
                "$ENVIRONMENT" "$ROOT" "$ENVIRONMENT" >"$env_file"
            info "created an empty $env_file (put DATABASE_URL, JWT_SECRET… there)"
        fi
    )
}

# prepare_release VERSION: releases/VERSION with the binary and the configuration. An existing
# release with the same binary is reused; another binary under the same name is refused.
prepare_release() {
    local version=$1 dir=$ROOT/releases/$1 sha
    sha=$(sha256sum "$BIN" | cut -d' ' -f1)
    if [[ -d $dir ]]; then
        [[ $(cat "$dir/.binary.sha256" 2>/dev/null) == "$sha" ]] ||
            fail "$EX_FAILED" "release $version exists with another binary: pick another --version"
        info "release $version exists with this binary: reusing $dir"
        return 0
    fi
    run_note "prepare $dir: $BIN, $CONFIG_DIR/ (without secrets/*.env), .env -> shared/.env, data -> shared/data"
    ((DRY_RUN)) && return 0
    local tmp=$ROOT/releases/.$version.partial
    rm -rf "$tmp"
    mkdir -p "$tmp"
    cp "$BIN" "$tmp/llmchat"
    chmod 0755 "$tmp/llmchat"
    cp -r "$CONFIG_DIR" "$tmp/config"
    # Secrets live in shared/.env, not in a release.
    find "$tmp/config" -path '*/secrets/*.env' -delete
    ln -s ../../shared/.env "$tmp/.env"
    ln -s ../../shared/data "$tmp/data"
    echo "$sha" >"$tmp/.binary.sha256"
    jq -n --arg version "$version" --arg app "$APP_VERSION" --arg commit "$APP_COMMIT" \
        --arg sha "$sha" --arg at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg from "$BIN" \
        --arg git "$(git -C "$SOURCE_DIR" rev-parse HEAD 2>/dev/null || echo unknown)" \
        '{release: $version, app_version: $app, app_commit: $commit, binary_sha256: $sha,
          binary_from: $from, source_commit: $git, prepared_at: $at}' >"$tmp/RELEASE"
    mv -T "$tmp" "$dir"
}

# Old releases beyond KEEP_RELEASES (current and previous always stay).
prune_releases() {
    local keep=${KEEP_RELEASES:-5} current previous dir n=0
    ((DRY_RUN)) && return 0
    current=$(link_version current)
    previous=$(link_version previous)
    while IFS= read -r dir; do
        local v
        v=$(basename "$dir")
        [[ $v == "$current" || $v == "$previous" ]] && continue
        n=$((n + 1))
        ((n > keep)) || continue
        [[ -z $(pid_of "$v") ]] || continue
        rm -rf -- "$dir"
        info "removed old release $v (keeping $keep besides current and previous)"
    done < <(find "$ROOT/releases" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%T@ %p\n' | sort -rn | cut -d' ' -f2-)
}

record_history() {
    ((DRY_RUN)) && return 0
    printf '%s %s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$ENVIRONMENT" "$1" "$2" >>"$ROOT/deploy.log"
}

# --- the switch ------------------------------------------------------------------------------

# After a failed start of NEW: its pid file goes, or names the old process again when the old
# one is the same release (--force restart).
abandon_pid_file() {
    ((DRY_RUN)) && return 0
    if [[ $OLD == "$1" && -n $OLD_PID ]] && kill -0 "$OLD_PID" 2>/dev/null; then
        echo "$OLD_PID" >"$ROOT/run/$1.pid"
    else
        rm -f "$ROOT/run/$1.pid"
    fi
}

# switch_release NEW: NEW serves instead of the current release, with zero failed requests
# when the binary has server.reuse_port. Returns 1 (WHY set, the old release still serving)
# when NEW did not become ready. Sets OLD, OLD_PID.
switch_release() {
    local new=$1 new_pid
    OLD=$(link_version current)
    OLD_PID=""
    # (OLD == new when --force restarts the current release: the same switch, one release.)
    [[ -z $OLD ]] || OLD_PID=$(pid_of "$OLD")
    OLD_APP_VERSION=""
    [[ -z $OLD_PID ]] || OLD_APP_VERSION=$(live_version)
    if [[ -n $OLD_PID && $REUSE_PORT == 0 ]]; then
        warn "this llmchat has no server.reuse_port: stopping $OLD before starting $new (requests fail meanwhile)"
        stop_pid "$OLD_PID" "$OLD"
    fi
    [[ -z $OLD_PID ]] || ensure_migrate_req
    if [[ -n $OLD_PID ]]; then
        step "starting $new beside $OLD (pid $OLD_PID) on port $PORT"
    else
        step "starting $new on port $PORT"
    fi
    start_release "$new"
    new_pid=${STARTED_PID:-}
    if ! wait_ready "$new" "$new_pid" "$(jq -r '.app_version' "$ROOT/releases/$new/RELEASE" 2>/dev/null)"; then
        if ! ((DRY_RUN)) && kill -0 "$new_pid" 2>/dev/null; then stop_pid "$new_pid" "$new"; fi
        abandon_pid_file "$new"
        if [[ -n $OLD_PID && $REUSE_PORT == 0 ]]; then
            start_release "$OLD"
            wait_ready "$OLD" "$STARTED_PID" "" || true
        fi
        return 1
    fi
    info "release $new is ready (pid ${new_pid:-?}): $(http_code /api/health/ready) on /api/health/ready"
    if ! soak "$new" "$new_pid"; then
        stop_pid "$new_pid" "$new"
        abandon_pid_file "$new"
        return 1
    fi
    switch_to "$new"
    if [[ -n $OLD_PID ]] && kill -0 "$OLD_PID" 2>/dev/null; then
        step "stopping $OLD (pid $OLD_PID): it drains, then exits"
        stop_pid "$OLD_PID" "$OLD"
    fi
    NEW_PID=$new_pid
    return 0
}

# After the switch: the new release alone must answer healthy (health-check.sh --component
# api) within TIMEOUT.
verify_after_switch() {
    local new=$1
    ((DRY_RUN)) && return 0
    local hc=$SCRIPT_DIR/../monitoring/health-check.sh
    if wait_until "$TIMEOUT" env -u LLMCHAT_URL "$hc" "$ENVIRONMENT" --url "$HEALTH_URL" --component api --timeout 3 >/dev/null 2>&1 &&
        kill -0 "$NEW_PID" 2>/dev/null; then
        return 0
    fi
    WHY="release $new is not healthy after the switch: $("$hc" "$ENVIRONMENT" --url "$HEALTH_URL" --component api --timeout 3 2>&1 | sed -n 2p | sed 's/^ *//')"
    return 1
}

# --- commands --------------------------------------------------------------------------------

local_status() {
    local v pid
    printf 'root: %s\n' "$ROOT"
    for v in current previous; do
        local version
        version=$(link_version "$v")
        pid=""
        [[ -z $version ]] || pid=$(pid_of "$version")
        printf '%-9s %s%s\n' "$v:" "${version:-none}" "${pid:+ (running, pid $pid)}"
    done
    if [[ -n $(link_version current) ]]; then
        release_settings "$(link_version current)"
        "$SCRIPT_DIR/../monitoring/health-check.sh" "$ENVIRONMENT" --url "$HEALTH_URL" --component api || true
    fi
}

local_stop() {
    local version pid
    version=$(link_version current)
    [[ -n $version ]] || fail "$EX_FAILED" "nothing is deployed in $ROOT"
    release_settings "$version"
    pid=$(pid_of "$version")
    [[ -n $pid ]] || { info "release $version is not running"; return 0; }
    step "stopping $version (pid $pid)"
    stop_pid "$pid" "$version"
    record_history stop "$version"
}

# Back to the old release after a failed post-switch check.
auto_rollback() {
    local bad=$1 good=$2
    [[ -n $good ]] || fail "$EX_BROKEN" "$WHY; there is no previous release to go back to"
    warn "$WHY"
    step "rolling back to $good"
    release_settings "$good"
    if switch_release "$good"; then
        record_history auto-rollback "$bad->$good"
        fail "$EX_ROLLED_BACK" "release $bad was not healthy; rolled back to $good, which serves now"
    fi
    fail "$EX_BROKEN" "release $bad was not healthy and $good did not start either: $WHY"
}

local_deploy() {
    local version=$1
    step "local deploy of $version to $ROOT ($ENVIRONMENT)"
    first_env_file
    prepare_release "$version"
    if ((DRY_RUN)); then
        run_note "(cd $ROOT/releases/$version && ./llmchat config check && ./llmchat agents validate)"
        ((!DO_BACKUP)) || run_note "(cd $ROOT/current && $SCRIPT_DIR/../backup/backup.sh $ENVIRONMENT --env-file $ROOT/shared/.env --dir $ROOT/backups --bin ./llmchat --keep $BACKUP_KEEP)"
        run_note "(cd $ROOT/releases/$version && ./llmchat migrate)"
        run_note "start $version beside the current release (LLMCHAT_SERVER__REUSE_PORT=true), wait for /api/health/ready, switch current, SIGTERM the old one"
        return 0
    fi
    release_settings "$version"
    local out
    out=$(in_release "$version" agents validate 2>&1) ||
        fail "$EX_FAILED" "release $version: its agents are invalid; nothing was changed:"$'\n'"$out"
    local current
    current=$(link_version current)
    if [[ $current == "$version" && -n $(pid_of "$version") && $FORCE == 0 ]]; then
        info "release $version is already current and running: nothing to do (--force restarts it)"
        return 0
    fi
    preflight_checks
    if ((DO_BACKUP)); then
        if [[ -n $current ]]; then
            local_backup "$current"
        else
            info "--backup: nothing deployed yet, nothing to back up"
        fi
    fi
    step "migrations: llmchat migrate (release $version)"
    out=$(in_release "$version" migrate 2>&1) ||
        fail "$EX_FAILED" "llmchat migrate failed; nothing was switched:"$'\n'"$out"
    info "$out"
    local started
    started=$(now_ms)
    if ! switch_release "$version"; then
        record_history failed "$version"
        fail "$EX_ROLLED_BACK" "$WHY"$'\n'"rolled back: ${OLD:-nothing} still serves${OLD:+ (release $version was stopped)}"
    fi
    if ! verify_after_switch "$version"; then
        auto_rollback "$version" "$OLD"
    fi
    record_history deploy "$version"
    step "release $version serves on $HEALTH_URL (switch took $(($(now_ms) - started)) ms)"
    prune_releases
}

local_backup() {
    local current=$1 rc=0
    step "backup before migrating (scripts/backup/backup.sh, release $current's database)"
    (cd "$ROOT/current" && env -u DATABASE_URL -u REDIS_URL -u LLMCHAT_DATA_DIR \
        "$SCRIPT_DIR/../backup/backup.sh" "$ENVIRONMENT" --env-file "$ROOT/shared/.env" \
        --dir "$ROOT/backups" --bin ./llmchat --keep "$BACKUP_KEEP") >/dev/null || rc=$?
    case $rc in
        0) ;;
        3) warn "the Redis snapshot failed; the database is backed up (Redis holds only rate-limit counters)" ;;
        *) fail "$EX_FAILED" "the backup failed (backup.sh exit $rc); nothing was changed" ;;
    esac
}

local_rollback() {
    local previous current
    previous=$(link_version previous)
    current=$(link_version current)
    [[ -n $previous ]] || fail "$EX_FAILED" "no previous release in $ROOT to roll back to"
    [[ -d $ROOT/releases/$previous ]] || fail "$EX_FAILED" "the previous release $previous is gone from $ROOT/releases"
    step "rollback: $current -> $previous"
    if ((DRY_RUN)); then
        run_note "start $previous beside $current (LLMCHAT_SERVER__REUSE_PORT=true), wait for /api/health/ready, switch current, SIGTERM $current"
        return 0
    fi
    release_settings "$previous"
    if ! switch_release "$previous"; then
        record_history failed-rollback "$previous"
        fail "$EX_ROLLED_BACK" "$WHY"$'\n'"the rollback did not happen: $current still serves. If $current applied migrations that $previous does not know, $previous cannot start on this schema: restore the backup taken before $current (scripts/backup/restore.sh) first"
    fi
    if ! verify_after_switch "$previous"; then
        auto_rollback "$previous" "$current"
    fi
    record_history rollback "$current->$previous"
    step "rolled back: release $previous serves on $HEALTH_URL"
}
