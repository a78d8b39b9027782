#!/usr/bin/env bash
# Restores a backup made by scripts/backup/backup.sh into the database the server uses (and,
# on request, Redis). See usage() or --help.
set -euo pipefail

PROG=restore.sh
# shellcheck source=scripts/backup/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<'EOF'
Usage: restore.sh <backup file | manifest> [options]

Restores a backup written by backup.sh. Give the .manifest.json, or the .pgdump / .sqlite file
(its manifest beside it is found by name). The sha256 and size of every file to be restored
are checked against the manifest before anything is touched.
A .dump file written by the Kubernetes backup CronJob (k8s/base/backup-cronjob.yaml:
llmchat-<UTC timestamp>.dump, pg_dump -Fc) has no manifest: it is checked with
`pg_restore --list` (a readable custom-format archive) instead, and restored to PostgreSQL.

Target (as the server reads it): --database-url, else $DATABASE_URL, else DATABASE_URL in
--env-file, else sqlite://$LLMCHAT_DATA_DIR/llmchat.db (LLMCHAT_DATA_DIR default ./data). The
backup's backend must match the target's (a .pgdump goes to PostgreSQL, a .sqlite to SQLite).

  PostgreSQL  pg_restore --clean --if-exists --no-owner --no-acl --single-transaction into the
              target database, which must exist (createdb it first for a new one). One
              transaction: a failed restore leaves the target as it was.
  SQLite      the file is copied beside the target and renamed over it (atomic), and stale
              -wal/-shm files of the old database are removed. When a process holds the target
              open (the server), replacing the file under it would be wrong: the server would
              go on writing to the old, unlinked file, and its -wal could be replayed into the
              new one. So an open database is refused, and with --force it is restored online
              instead, through SQLite's backup API (sqlite3 TARGET ".restore FILE"), which
              writes under SQLite's locks so the server's connections see the restored data.
              Restart the server afterwards all the same (cached sessions, agents, keys).
  Redis       only with --redis (or --redis-url): the snapshot's keys are loaded into a
              temporary redis-server and copied to the target with MIGRATE (REPLACE, TTLs
              kept). Rarely worth it: LLMChat keeps only rate-limit counters in Redis.

A live or non-empty target is refused without --force:
  - the target has tables (PostgreSQL: any table outside the system schemas; SQLite: any
    table in the file), or
  - other sessions are connected to the PostgreSQL database, or a process holds the SQLite
    file open, or
  - a server answers on --url (default $LLMCHAT_URL) at /api/health/live.
Stop the server first (deploy.sh's local target: `deploy.sh ENV --stop`; or stop the
container/deployment), restore, then start it.

Options:
  --force              restore even into a live or non-empty target (see above)
  --database-url URL   the target database
  --pg-container NAME  the target PostgreSQL runs in this container without a published port
                       (the compose stack's `postgres`): the checks and pg_restore run inside
                       it (docker exec), as its POSTGRES_USER on its POSTGRES_DB
  --env-file FILE      read DATABASE_URL, REDIS_URL, LLMCHAT_DATA_DIR from this dotenv file
  --redis              also restore the Redis snapshot into $REDIS_URL (or the --env-file's)
  --redis-url URL      also restore the Redis snapshot, into URL
  --url URL            the server that uses the target, to refuse while it answers
  -h, --help           this help

Exit codes:
  0   restored (and the restored schema version matches the manifest's)
  1   the restore failed (PostgreSQL: rolled back; SQLite: the old file is in place)
  2   refused: the target is live or not empty and --force was not given
  3   verification failed: a file is missing, or its size or sha256 differs from the manifest
  64  usage error
  69  a required tool is missing (pg_restore, psql, sqlite3, redis-cli, redis-server, jq)
EOF
}

SOURCE="" FORCE=0 DB_URL="" ENV_FILE="" WANT_REDIS=0 REDIS_TARGET="" SERVER_URL=${LLMCHAT_URL:-}
PG_CONTAINER=""

parse_args() {
    while (($#)); do
        case $1 in
            -h | --help) usage; exit 0 ;;
            --force) FORCE=1 ;;
            --redis) WANT_REDIS=1 ;;
            --database-url | --env-file | --redis-url | --url | --pg-container)
                (($# >= 2)) || die_usage "$1 needs a value"
                case $1 in
                    --database-url) DB_URL=$2 ;;
                    --env-file) ENV_FILE=$2 ;;
                    --redis-url) REDIS_TARGET=$2 WANT_REDIS=1 ;;
                    --url) SERVER_URL=$2 ;;
                    --pg-container) PG_CONTAINER=$2 ;;
                esac
                shift
                ;;
            -*) die_usage "unknown option $1" ;;
            *)
                [[ -z $SOURCE ]] || die_usage "one backup only (got $SOURCE and $1)"
                SOURCE=$1
                ;;
        esac
        shift
    done
    [[ -n $SOURCE ]] || die_usage "which backup? give its .manifest.json or its .pgdump/.sqlite file"
    [[ -z $ENV_FILE || -r $ENV_FILE ]] || die_usage "cannot read --env-file $ENV_FILE"
    if [[ -n $PG_CONTAINER ]]; then
        [[ -z $DB_URL ]] || die_usage "--pg-container and --database-url exclude each other"
        DB_URL="postgres://$PG_CONTAINER/(container)"
    fi
    if [[ -z $DB_URL ]]; then DB_URL=${DATABASE_URL:-}; fi
    if [[ -z $DB_URL && -n $ENV_FILE ]]; then DB_URL=$(dotenv_get "$ENV_FILE" DATABASE_URL); fi
    if [[ -z $DB_URL ]]; then
        local data_dir=${LLMCHAT_DATA_DIR:-}
        [[ -n $data_dir || -z $ENV_FILE ]] || data_dir=$(dotenv_get "$ENV_FILE" LLMCHAT_DATA_DIR)
        DB_URL="sqlite://${data_dir:-./data}/llmchat.db"
    fi
    BACKEND=$(db_backend "$DB_URL")
    [[ -n $BACKEND ]] || die_usage "the database URL must start with postgres://, postgresql:// or sqlite: (got $(mask_url "$DB_URL"))"
    if ((WANT_REDIS)); then
        [[ -n $REDIS_TARGET ]] || REDIS_TARGET=${REDIS_URL:-}
        if [[ -z $REDIS_TARGET && -n $ENV_FILE ]]; then REDIS_TARGET=$(dotenv_get "$ENV_FILE" REDIS_URL); fi
        [[ -n $REDIS_TARGET ]] || die_usage "--redis: no Redis to restore into (set REDIS_URL or pass --redis-url)"
        [[ $REDIS_TARGET =~ ^redis:// ]] || die_usage "--redis: only redis:// targets (MIGRATE from the temporary server has no TLS); got $(mask_url "$REDIS_TARGET")"
    fi
}

# Reads the manifest: MANIFEST, DIR, DB_FILE, DB_SHA, DB_SIZE, DB_KIND, SCHEMA_VERSION,
# RDB_FILE, RDB_SHA, RDB_SIZE, RDB_DB.
read_manifest() {
    case $SOURCE in
        *.manifest.json) MANIFEST=$SOURCE ;;
        *.pgdump | *.sqlite | *.rdb) MANIFEST=${SOURCE%.*}.manifest.json ;;
        *.dump)
            # The CronJob's pg_dump -Fc: no manifest, nothing to compare checksums with.
            MANIFEST=$SOURCE NO_MANIFEST=1 DB_FILE=$SOURCE DB_KIND=postgres SCHEMA_VERSION="" RDB_FILE=""
            [[ -f $DB_FILE ]] || fail 3 "missing: $DB_FILE"
            [[ $DB_KIND == "$BACKEND" ]] ||
                die_usage "$SOURCE is a PostgreSQL dump and the target $(mask_url "$DB_URL") is $BACKEND"
            return 0
            ;;
        *) die_usage "$SOURCE is neither a .manifest.json, a .pgdump/.sqlite file nor a CronJob .dump" ;;
    esac
    [[ -f $MANIFEST ]] || fail 3 "no manifest at $MANIFEST: cannot verify the backup (it is written by backup.sh beside the data file)"
    jq -e '.format == "llmchat-backup/1"' "$MANIFEST" >/dev/null 2>&1 ||
        fail 3 "$MANIFEST is not a backup.sh manifest (format llmchat-backup/1)"
    DIR=$(dirname "$MANIFEST")
    DB_FILE=$DIR/$(jq -r '.database.file' "$MANIFEST")
    DB_SHA=$(jq -r '.database.sha256' "$MANIFEST")
    DB_SIZE=$(jq -r '.database.size' "$MANIFEST")
    DB_KIND=$(jq -r '.database.backend' "$MANIFEST")
    SCHEMA_VERSION=$(jq -r '.database.schema_version // empty' "$MANIFEST")
    RDB_FILE="" RDB_SHA="" RDB_SIZE="" RDB_DB=0
    if [[ $(jq -r '.redis.file // empty' "$MANIFEST") != "" ]]; then
        RDB_FILE=$DIR/$(jq -r '.redis.file' "$MANIFEST")
        RDB_SHA=$(jq -r '.redis.sha256' "$MANIFEST")
        RDB_SIZE=$(jq -r '.redis.size' "$MANIFEST")
        RDB_DB=$(jq -r '.redis.db // 0' "$MANIFEST")
    fi
    [[ $DB_KIND == "$BACKEND" ]] ||
        die_usage "the backup is a $DB_KIND database and the target $(mask_url "$DB_URL") is $BACKEND"
}

verify_file() { # FILE SIZE SHA
    [[ -f $1 ]] || fail 3 "missing: $1 (named in $MANIFEST)"
    local size sha
    size=$(size_of "$1")
    [[ $size == "$2" ]] || fail 3 "$1 is $size bytes, the manifest says $2: truncated or replaced"
    sha=$(sha256_of "$1")
    [[ $sha == "$3" ]] || fail 3 "$1 has sha256 $sha, the manifest says $3: corrupt or replaced"
    info "verified $(basename "$1"): $size bytes, sha256 ${sha:0:16}…"
}

# A file without a manifest: pg_restore must read its table of contents.
verify_archive() {
    local entries
    if have pg_restore; then
        entries=$(pg_restore --list "$1" 2>/dev/null | grep -cv '^;') ||
            fail 3 "$1 is not a pg_dump custom-format archive that pg_restore can read (truncated or corrupt?)"
    else
        entries=$(docker exec -i "$PG_CONTAINER" pg_restore --list <"$1" 2>/dev/null | grep -cv '^;') ||
            fail 3 "$1 is not a pg_dump custom-format archive that pg_restore can read (truncated or corrupt?)"
    fi
    ((entries > 0)) || fail 3 "$1 holds no objects"
    info "no manifest (a CronJob dump): pg_restore --list reads $entries entries from $(basename "$1")"
}

need_tools() {
    need_tool jq jq
    need_tool sha256sum coreutils
    if [[ -n $PG_CONTAINER ]]; then
        need_tool docker docker.io
    elif [[ $BACKEND == postgres ]]; then
        need_tool pg_restore postgresql-client
        need_tool psql postgresql-client
    else
        need_tool sqlite3 sqlite3
    fi
    if ((WANT_REDIS)); then
        need_tool redis-cli redis-tools
        need_tool redis-server redis-server
    fi
}

# --- is the target live or non-empty? REASONS collects why. ----------------------------------

REASONS=()
SQLITE_HOLDERS=""

check_server() {
    [[ -n $SERVER_URL ]] || return 0
    if curl -fsS -o /dev/null --max-time 3 "${SERVER_URL%/}/api/health/live" 2>/dev/null; then
        REASONS+=("a server answers at $(mask_url "$SERVER_URL") (/api/health/live)")
    fi
}

check_postgres_target() {
    pg_split "$DB_URL"
    psql_value "SELECT 1" >/dev/null 2>"$WORK/psql.err" ||
        fail 1 "cannot connect to the target $(mask_url "$DB_URL"): $(head -n 1 "$WORK/psql.err") (create the database first: createdb)"
    local tables sessions
    tables=$(psql_value "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
    ((tables == 0)) || REASONS+=("the target database has $tables table(s)")
    sessions=$(psql_value "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
    ((sessions == 0)) || REASONS+=("$sessions other session(s) are connected to the target database (a running server?)")
}

check_pg_container_target() {
    pg_container_value "$PG_CONTAINER" "SELECT 1" >/dev/null 2>"$WORK/psql.err" ||
        fail 1 "cannot reach PostgreSQL in container $PG_CONTAINER: $(head -n 1 "$WORK/psql.err")"
    local tables sessions
    tables=$(pg_container_value "$PG_CONTAINER" "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
    ((tables == 0)) || REASONS+=("the target database in $PG_CONTAINER has $tables table(s)")
    sessions=$(pg_container_value "$PG_CONTAINER" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
    ((sessions == 0)) || REASONS+=("$sessions other session(s) are connected to the target database in $PG_CONTAINER (a running server?)")
}

restore_pg_container() {
    info "pg_restore --clean --if-exists --no-owner --no-acl --single-transaction in container $PG_CONTAINER"
    in_pg_container "$PG_CONTAINER" -i "exec pg_restore --clean --if-exists --no-owner --no-acl --single-transaction --exit-on-error $PG_CONTAINER_DB" <"$DB_FILE" ||
        fail 1 "pg_restore failed; the transaction was rolled back and the target is as it was"
    RESTORED_VERSION=$(pg_container_value "$PG_CONTAINER" "SELECT max(version) FROM _sqlx_migrations WHERE success" 2>/dev/null || true)
}

# The pids holding FILE (or its -wal) open, as "pid(command)" words. One find over
# /proc/*/fd (readlink without a process per descriptor).
holders_of() {
    local target pid pids=""
    target=$(realpath -m "$1")
    while IFS= read -r pid; do
        pid=${pid#/proc/}
        pid=${pid%%/*}
        [[ " $pids " == *" $pid "* ]] || pids+=" $pid"
    done < <(find /proc/[0-9]*/fd -maxdepth 1 \( -lname "$target" -o -lname "$target-wal" \) 2>/dev/null)
    for pid in $pids; do printf '%s(%s) ' "$pid" "$(tr -d '\0' <"/proc/$pid/comm" 2>/dev/null || echo '?')"; done
}

check_sqlite_target() {
    TARGET=$(sqlite_path "$DB_URL")
    [[ -d $(dirname "$TARGET") ]] || fail 1 "the target's directory $(dirname "$TARGET") does not exist"
    if [[ -s $TARGET ]]; then
        local tables
        tables=$(sqlite3 "$TARGET" ".timeout 5000" "SELECT count(*) FROM sqlite_schema WHERE type = 'table'" 2>/dev/null || echo "?")
        [[ $tables == 0 ]] || REASONS+=("the target $TARGET has $tables table(s)")
    fi
    SQLITE_HOLDERS=$(holders_of "$TARGET")
    [[ -z $SQLITE_HOLDERS ]] || REASONS+=("process(es) hold $TARGET open: ${SQLITE_HOLDERS% }")
}

# --- restore ---------------------------------------------------------------------------------

restore_postgres() {
    info "pg_restore --clean --if-exists --no-owner --no-acl --single-transaction -> $(mask_url "$DB_URL")"
    pg pg_restore --clean --if-exists --no-owner --no-acl --single-transaction --exit-on-error \
        -d "$PG_CONNINFO" "$DB_FILE" || fail 1 "pg_restore failed; the transaction was rolled back and the target is as it was"
    RESTORED_VERSION=$(schema_version_pg)
}

restore_sqlite() {
    if [[ -n $SQLITE_HOLDERS ]]; then
        info "online restore into the open $TARGET (sqlite3 .restore: SQLite's backup API, under its locks)"
        sqlite3 "$TARGET" ".timeout 20000" ".restore '$DB_FILE'" ||
            fail 1 "sqlite3 .restore into $TARGET failed (see above)"
    else
        local tmp=$TARGET.restoring.$$
        info "copying into place: $TARGET"
        cp -- "$DB_FILE" "$tmp" || fail 1 "cannot write $tmp"
        if [[ -e $TARGET ]]; then
            chown --reference="$TARGET" "$tmp" 2>/dev/null || true
            chmod --reference="$TARGET" "$tmp" 2>/dev/null || true
        fi
        sync -- "$tmp" 2>/dev/null || true
        # Stale -wal/-shm belong to the old database: left beside the new file, SQLite would
        # replay the old WAL into it.
        rm -f -- "$TARGET-wal" "$TARGET-shm" "$TARGET-journal"
        mv -f -- "$tmp" "$TARGET" || { rm -f -- "$tmp"; fail 1 "cannot rename $tmp to $TARGET"; }
    fi
    local check
    check=$(sqlite3 "$TARGET" ".timeout 5000" "PRAGMA integrity_check;")
    [[ $check == ok ]] || fail 1 "the restored $TARGET fails its integrity check: $check"
    RESTORED_VERSION=$(schema_version_sqlite "$TARGET")
}

# A double-quoted argument for redis-cli's command reader.
redis_quote() {
    local s=${1//\\/\\\\}
    s=${s//\"/\\\"}
    printf '"%s"' "$s"
}

restore_redis() {
    [[ -n $RDB_FILE ]] || { warn "the backup has no Redis snapshot; Redis left as it is"; return 0; }
    redis_split "$REDIS_TARGET"
    local tmpdir=$WORK/redis sock keys moved=0 batch
    mkdir -p "$tmpdir"
    cp -- "$RDB_FILE" "$tmpdir/dump.rdb"
    sock=$tmpdir/redis.sock
    redis-server --port 0 --unixsocket "$sock" --dir "$tmpdir" --dbfilename dump.rdb \
        --save '' --appendonly no --daemonize yes --pidfile "$tmpdir/redis.pid" \
        --logfile "$tmpdir/redis.log" >/dev/null || fail 1 "cannot start a temporary redis-server for the snapshot"
    local i
    for ((i = 0; i < 100; i++)); do
        [[ $(redis-cli -s "$sock" PING 2>/dev/null) == PONG ]] && break
        sleep 0.1
    done
    ((i < 100)) || fail 1 "the temporary redis-server did not start (see $tmpdir/redis.log)"
    keys=$(redis-cli -s "$sock" -n "$RDB_DB" DBSIZE)
    info "Redis: $keys key(s) in the snapshot's db $RDB_DB -> $(mask_url "$REDIS_TARGET") (MIGRATE REPLACE)"
    local auth=""
    if [[ -n $REDIS_USER && -n $REDIS_PASSWORD ]]; then
        auth=" AUTH2 $(redis_quote "$REDIS_USER") $(redis_quote "$REDIS_PASSWORD")"
    elif [[ -n $REDIS_PASSWORD ]]; then
        auth=" AUTH $(redis_quote "$REDIS_PASSWORD")"
    fi
    local key line
    while :; do
        mapfile -t batch < <(redis-cli -s "$sock" -n "$RDB_DB" --scan | head -n 500)
        ((${#batch[@]})) || break
        # MIGRATE moves the keys (the temporary server forgets them), so the next scan finds
        # the rest. The command goes in on standard input: the password is on no command line.
        line="MIGRATE $(redis_quote "$REDIS_HOST") $REDIS_PORT \"\" $REDIS_DB 10000 REPLACE$auth KEYS"
        for key in "${batch[@]}"; do line+=" $(redis_quote "$key")"; done
        if ! printf '%s\n' "$line" | redis-cli -s "$sock" -n "$RDB_DB" >"$WORK/migrate.out" 2>&1 ||
            grep -q ERR "$WORK/migrate.out"; then
            redis-cli -s "$sock" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
            fail 1 "MIGRATE to $(mask_url "$REDIS_TARGET") failed: $(head -n 1 "$WORK/migrate.out")"
        fi
        moved=$((moved + ${#batch[@]}))
    done
    local left
    left=$(redis-cli -s "$sock" -n "$RDB_DB" DBSIZE 2>&1)
    redis-cli -s "$sock" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
    [[ $left == 0 ]] || fail 1 "Redis: $left key(s) of the snapshot were not copied (see above)"
    info "Redis: $moved key(s) restored"
}

main() {
    parse_args "$@"
    need_tools
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/llmchat-restore.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
    NO_MANIFEST=0
    read_manifest
    if ((NO_MANIFEST)); then
        verify_archive "$DB_FILE"
    else
        verify_file "$DB_FILE" "$DB_SIZE" "$DB_SHA"
    fi
    if ((WANT_REDIS)) && [[ -n $RDB_FILE ]]; then verify_file "$RDB_FILE" "$RDB_SIZE" "$RDB_SHA"; fi

    check_server
    if [[ -n $PG_CONTAINER ]]; then
        check_pg_container_target
    elif [[ $BACKEND == postgres ]]; then
        check_postgres_target
    else
        check_sqlite_target
    fi
    if ((${#REASONS[@]})); then
        local r
        if ((!FORCE)); then
            for r in "${REASONS[@]}"; do printf '%s: refused: %s\n' "$PROG" "$r" >&2; done
            fail 2 "the target $(mask_url "$DB_URL") is live or not empty; stop the server and pass --force to overwrite it"
        fi
        for r in "${REASONS[@]}"; do warn "--force: overwriting although $r"; done
    fi

    local started
    started=$(now_ms)
    RESTORED_VERSION=""
    if [[ -n $PG_CONTAINER ]]; then
        restore_pg_container
    elif [[ $BACKEND == postgres ]]; then
        restore_postgres
    else
        restore_sqlite
    fi
    info "database restored in $(($(now_ms) - started)) ms, schema version ${RESTORED_VERSION:-none}"
    if [[ -n $SCHEMA_VERSION && $RESTORED_VERSION != "$SCHEMA_VERSION" ]]; then
        fail 1 "the restored schema version is ${RESTORED_VERSION:-none}, the manifest says $SCHEMA_VERSION"
    fi
    if ((WANT_REDIS)); then restore_redis; fi
    info "restored $(basename "$MANIFEST") into $(mask_url "$DB_URL")"
}

main "$@"
