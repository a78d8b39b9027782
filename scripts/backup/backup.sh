#!/usr/bin/env bash
# Backs up LLMChat's database (PostgreSQL or SQLite) and, when it holds keys, its Redis, into
# timestamped, versioned files with a manifest. See usage() or --help.
set -euo pipefail

PROG=backup.sh
# shellcheck source=scripts/backup/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    cat <<'EOF'
Usage: backup.sh [<development|staging|production>] [options]

Backs up the database the server uses, online (the server keeps running), and Redis when it
holds keys. Writes, in --dir:
  llmchat-<env>-<UTC timestamp>-v<app version>-<commit>.pgdump   PostgreSQL, pg_dump -Fc
  llmchat-<env>-<UTC timestamp>-v<app version>-<commit>.sqlite   SQLite, online .backup copy
  llmchat-<env>-<UTC timestamp>-v<app version>-<commit>.rdb      Redis snapshot (optional)
  llmchat-<env>-<UTC timestamp>-v<app version>-<commit>.manifest.json
                                     sha256 and size of each file, schema migration version,
                                     app version and commit, durations
and prints the manifest's path on standard output.

Where from (as the server reads them):
  database  --database-url, else $DATABASE_URL, else DATABASE_URL in --env-file, else the
            SQLite file $LLMCHAT_DATA_DIR/llmchat.db (LLMCHAT_DATA_DIR default ./data)
  redis     --redis-url, else $REDIS_URL, else REDIS_URL in --env-file; none: no snapshot
  version   `llmchat version` of --bin (default $LLMCHAT_BIN, else llmchat on PATH), else
            /api/version of --url (default $LLMCHAT_URL), else "unknown"

Options:
  --env NAME           the environment named in the file names (default: the positional
                       argument, else $LLMCHAT_ENV / $DEPLOYMENT_ENV / $NODE_ENV, else development)
  --dir DIR            where to write (default $LLMCHAT_BACKUP_DIR, else ./backups)
  --keep N             afterwards keep only the newest N backups of each kind (pgdump, sqlite,
                       rdb) of this environment in DIR; 0 = keep all (default)
  --database-url URL   postgres://…, postgresql://… or sqlite://PATH
  --redis-url URL      redis://… or rediss://…
  --no-redis           skip Redis even when a URL is set
  --pg-container NAME  PostgreSQL runs in this container without a published port (the
                       compose stack's `postgres`): pg_dump runs inside it (docker exec), as
                       its POSTGRES_USER on its POSTGRES_DB; no DATABASE_URL needed
  --env-file FILE      read DATABASE_URL, REDIS_URL and LLMCHAT_DATA_DIR from this dotenv file
                       when they are not set otherwise (deploy.sh passes its shared .env)
  --bin PATH           the llmchat binary whose version names the backup
  --url URL            a running server to ask /api/version when there is no binary
  -h, --help           this help

Redis holds nothing that cannot be lost: LLMChat keeps only rate-limit counters there
(llmchat:ratelimit:*, each expiring with its window). The snapshot is for completeness and
is optional: a failed snapshot does not fail the backup (exit 3). `redis-cli --rdb` copies the
whole Redis server (every database), and needs SYNC, which some managed services disable.

Passwords never appear in the output or on command lines (PGPASSWORD / REDISCLI_AUTH).

Exit codes:
  0   backed up (database, and Redis when it had keys)
  1   the database backup failed; nothing was kept
  3   the database is backed up, the Redis snapshot failed (see the warning)
  64  usage error
  69  a required tool is missing (pg_dump, sqlite3, redis-cli, jq, sha256sum)
  75  another backup is running in the same directory
EOF
}

ENVIRONMENT="" DIR=${LLMCHAT_BACKUP_DIR:-./backups} KEEP=0 DB_URL="" REDIS_URL_ARG="" NO_REDIS=0
ENV_FILE="" BIN=${LLMCHAT_BIN:-} SERVER_URL=${LLMCHAT_URL:-} PG_CONTAINER=""

parse_args() {
    while (($#)); do
        case $1 in
            -h | --help) usage; exit 0 ;;
            --no-redis) NO_REDIS=1 ;;
            --env | --dir | --keep | --database-url | --redis-url | --env-file | --bin | --url | --pg-container)
                (($# >= 2)) || die_usage "$1 needs a value"
                case $1 in
                    --env) ENVIRONMENT=$2 ;;
                    --dir) DIR=$2 ;;
                    --keep) KEEP=$2 ;;
                    --database-url) DB_URL=$2 ;;
                    --redis-url) REDIS_URL_ARG=$2 ;;
                    --env-file) ENV_FILE=$2 ;;
                    --bin) BIN=$2 ;;
                    --url) SERVER_URL=$2 ;;
                    --pg-container) PG_CONTAINER=$2 ;;
                esac
                shift
                ;;
            -*) die_usage "unknown option $1" ;;
            *)
                [[ -z $ENVIRONMENT ]] || die_usage "one environment only (got $ENVIRONMENT and $1)"
                ENVIRONMENT=$1
                ;;
        esac
        shift
    done
    ENVIRONMENT=${ENVIRONMENT:-${LLMCHAT_ENV:-${DEPLOYMENT_ENV:-${NODE_ENV:-development}}}}
    case $ENVIRONMENT in development | staging | production) ;; *)
        die_usage "unknown environment '$ENVIRONMENT': development, staging or production" ;;
    esac
    [[ $KEEP =~ ^[0-9]+$ ]] || die_usage "--keep must be a whole number, not '$KEEP'"
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

    REDIS_TARGET=""
    if ((!NO_REDIS)); then
        REDIS_TARGET=${REDIS_URL_ARG:-${REDIS_URL:-}}
        if [[ -z $REDIS_TARGET && -n $ENV_FILE ]]; then REDIS_TARGET=$(dotenv_get "$ENV_FILE" REDIS_URL); fi
        if [[ -n $REDIS_TARGET && ! $REDIS_TARGET =~ ^rediss?:// ]]; then
            die_usage "the Redis URL must start with redis:// or rediss:// (got $(mask_url "$REDIS_TARGET"))"
        fi
    fi
}

need_tools() {
    need_tool jq jq
    need_tool sha256sum coreutils
    need_tool flock util-linux
    if [[ -n $PG_CONTAINER ]]; then
        need_tool docker docker.io
    elif [[ $BACKEND == postgres ]]; then
        need_tool pg_dump postgresql-client
        need_tool pg_restore postgresql-client
        need_tool psql postgresql-client
    else
        need_tool sqlite3 sqlite3
    fi
    if [[ -n $REDIS_TARGET ]]; then need_tool redis-cli redis-tools; fi
}

# The running app's version and commit: APP_VERSION, APP_COMMIT, APP_VERSION_SOURCE.
app_version() {
    APP_VERSION=unknown APP_COMMIT=unknown APP_VERSION_SOURCE=none
    local bin=$BIN line
    [[ -n $bin ]] || bin=$(command -v llmchat || true)
    if [[ -n $bin && -x $bin ]] && line=$(llmchat_cmd "$bin" version 2>/dev/null); then
        # "llmchat 0.1.0 (commit abc1234, built …)"
        if [[ $line =~ ^llmchat\ ([^ ]+)\ \(commit\ ([^,\)]+) ]]; then
            APP_VERSION=${BASH_REMATCH[1]} APP_COMMIT=${BASH_REMATCH[2]} APP_VERSION_SOURCE="llmchat version"
            return
        fi
    fi
    if [[ -n $SERVER_URL ]] && line=$(curl -fsS --max-time 5 "${SERVER_URL%/}/api/version" 2>/dev/null); then
        APP_VERSION=$(jq -r '.version // "unknown"' <<<"$line")
        APP_COMMIT=$(jq -r '.git_commit // "unknown"' <<<"$line")
        APP_VERSION_SOURCE=/api/version
        return
    fi
    warn "cannot tell the app version (no llmchat binary: --bin or LLMCHAT_BIN; no server: --url or LLMCHAT_URL); the file names say 'unknown'"
}

safe_name() { tr -c 'A-Za-z0-9._-' '_' <<<"$1" | sed 's/_$//'; }

PARTIALS=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local f
    for f in "${PARTIALS[@]}"; do rm -f "$f"; done
}

backup_pg_container() {
    local out=$1
    info "PostgreSQL in container $PG_CONTAINER -> $(basename "$out") (docker exec … pg_dump -Fc)"
    in_pg_container "$PG_CONTAINER" "exec pg_dump -Fc $PG_CONTAINER_DB" >"$out.partial" ||
        fail 1 "pg_dump in container $PG_CONTAINER failed (see above)"
    in_pg_container "$PG_CONTAINER" -i "exec pg_restore --list" <"$out.partial" >/dev/null ||
        fail 1 "pg_dump wrote an archive pg_restore cannot read: $out.partial"
    SCHEMA_VERSION=$(pg_container_value "$PG_CONTAINER" "SELECT max(version) FROM _sqlx_migrations WHERE success" 2>/dev/null || true)
    mv "$out.partial" "$out"
}

backup_postgres() {
    local out=$1
    pg_split "$DB_URL"
    info "PostgreSQL $(mask_url "$DB_URL") -> $(basename "$out") (pg_dump -Fc)"
    pg pg_dump -Fc -d "$PG_CONNINFO" -f "$out.partial" ||
        fail 1 "pg_dump failed for $(mask_url "$DB_URL") (see above)"
    pg pg_restore --list "$out.partial" >/dev/null ||
        fail 1 "pg_dump wrote an archive pg_restore cannot read: $out.partial"
    SCHEMA_VERSION=$(schema_version_pg)
    mv "$out.partial" "$out"
}

backup_sqlite() {
    local out=$1 src
    src=$(sqlite_path "$DB_URL")
    [[ -f $src ]] || fail 1 "no SQLite database at $src (set DATABASE_URL, LLMCHAT_DATA_DIR or --database-url)"
    info "SQLite $src -> $(basename "$out") (online .backup)"
    # The backup API copies a consistent snapshot while the server keeps writing (WAL); it
    # waits up to 10 s for a lock instead of failing at once.
    sqlite3 "$src" ".timeout 10000" ".backup '$out.partial'" ||
        fail 1 "sqlite3 .backup of $src failed (see above)"
    # A self-contained file: no -wal beside it is needed to read it.
    sqlite3 "$out.partial" "PRAGMA journal_mode = DELETE;" >/dev/null
    local check
    check=$(sqlite3 "$out.partial" "PRAGMA integrity_check;")
    [[ $check == ok ]] || fail 1 "the copy of $src fails its integrity check: $check"
    SCHEMA_VERSION=$(schema_version_sqlite "$out.partial")
    mv "$out.partial" "$out"
}

# Sets REDIS_RESULT (JSON for the manifest); returns 1 when the snapshot failed.
backup_redis() {
    local out=$1 keys started
    redis_split "$REDIS_TARGET"
    if ! keys=$(redis DBSIZE 2>&1) || [[ ! $keys =~ ^[0-9]+$ ]]; then
        REDIS_RESULT=$(jq -nc --arg url "$(mask_url "$REDIS_TARGET")" --arg e "${keys//$'\n'/ }" \
            '{url: $url, skipped: ("DBSIZE failed: " + $e)}')
        warn "Redis $(mask_url "$REDIS_TARGET") did not answer DBSIZE: ${keys//$'\n'/ }"
        return 1
    fi
    if ((keys == 0)); then
        info "Redis $(mask_url "$REDIS_TARGET") holds no keys in db $REDIS_DB: no snapshot"
        REDIS_RESULT=$(jq -nc --arg url "$(mask_url "$REDIS_TARGET")" '{url: $url, keys: 0, skipped: "no keys"}')
        return 0
    fi
    info "Redis $(mask_url "$REDIS_TARGET") ($keys keys in db $REDIS_DB) -> $(basename "$out") (redis-cli --rdb)"
    started=$(now_ms)
    PARTIALS+=("$out.partial")
    if ! redis --rdb "$out.partial" >"$WORK_LOG" 2>&1; then
        REDIS_RESULT=$(jq -nc --arg url "$(mask_url "$REDIS_TARGET")" --arg e "$(tail -n 1 "$WORK_LOG")" \
            '{url: $url, skipped: ("redis-cli --rdb failed: " + $e)}')
        warn "redis-cli --rdb failed: $(tail -n 1 "$WORK_LOG")"
        rm -f "$out.partial"
        return 1
    fi
    mv "$out.partial" "$out"
    REDIS_RESULT=$(jq -nc --arg url "$(mask_url "$REDIS_TARGET")" --arg file "$(basename "$out")" \
        --argjson size "$(size_of "$out")" --arg sha "$(sha256_of "$out")" --argjson keys "$keys" \
        --argjson db "$REDIS_DB" --argjson ms $(($(now_ms) - started)) \
        '{url: $url, file: $file, size: $size, sha256: $sha, keys: $keys, db: $db, duration_ms: $ms}')
}

# Keeps the newest KEEP files of each kind for this environment; a manifest goes with the
# last of its files.
retention() {
    ((KEEP > 0)) || return 0
    local ext f stem removed=0
    for ext in pgdump sqlite rdb; do
        while IFS= read -r f; do
            [[ -n $f ]] || continue
            rm -f -- "$f"
            removed=$((removed + 1))
            info "retention (--keep $KEEP): removed $(basename "$f")"
        done < <(find "$DIR" -maxdepth 1 -type f -name "llmchat-$ENVIRONMENT-*.$ext" | sort -r | tail -n +$((KEEP + 1)))
    done
    for f in "$DIR"/llmchat-"$ENVIRONMENT"-*.manifest.json; do
        [[ -e $f ]] || continue
        stem=${f%.manifest.json}
        if [[ ! -e $stem.pgdump && ! -e $stem.sqlite && ! -e $stem.rdb ]]; then
            rm -f -- "$f"
            info "retention (--keep $KEEP): removed $(basename "$f")"
        fi
    done
}

main() {
    parse_args "$@"
    need_tools
    mkdir -p "$DIR" || fail 1 "cannot create the backup directory $DIR"
    exec 9>"$DIR/.backup.lock"
    flock -n 9 || fail 75 "another backup is running in $DIR (lock $DIR/.backup.lock)"
    trap cleanup EXIT
    WORK_LOG=$(mktemp "${TMPDIR:-/tmp}/llmchat-backup.XXXXXX")
    PARTIALS+=("$WORK_LOG")

    app_version
    local stamp stem ext
    while :; do
        stamp=$(date -u +%Y%m%dT%H%M%SZ)
        stem="$DIR/llmchat-$ENVIRONMENT-$stamp-v$(safe_name "$APP_VERSION")-$(safe_name "${APP_COMMIT:0:12}")"
        compgen -G "$stem.*" >/dev/null || break
        sleep 1
    done
    ext=$([[ $BACKEND == postgres ]] && echo pgdump || echo sqlite)
    PARTIALS+=("$stem.$ext.partial")

    local started db_ms
    started=$(now_ms)
    SCHEMA_VERSION=""
    if [[ -n $PG_CONTAINER ]]; then
        backup_pg_container "$stem.$ext"
    elif [[ $BACKEND == postgres ]]; then
        backup_postgres "$stem.$ext"
    else
        backup_sqlite "$stem.$ext"
    fi
    db_ms=$(($(now_ms) - started))
    info "database: $(size_of "$stem.$ext") bytes in $db_ms ms, schema version ${SCHEMA_VERSION:-none}"

    local rc=0
    REDIS_RESULT=null
    if [[ -n $REDIS_TARGET ]]; then
        backup_redis "$stem.rdb" || rc=3
    fi

    local manifest=$stem.manifest.json
    jq -n --arg env "$ENVIRONMENT" --arg at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --arg version "$APP_VERSION" --arg commit "$APP_COMMIT" --arg vsource "$APP_VERSION_SOURCE" \
        --arg backend "$BACKEND" --arg url "$(mask_url "$DB_URL")" --arg file "$(basename "$stem.$ext")" \
        --argjson size "$(size_of "$stem.$ext")" --arg sha "$(sha256_of "$stem.$ext")" \
        --arg schema "$SCHEMA_VERSION" --argjson ms "$db_ms" --argjson redis "$REDIS_RESULT" \
        --arg host "$(hostname)" \
        '{format: "llmchat-backup/1", environment: $env, created_at: $at, host: $host,
          app: {version: $version, git_commit: $commit, source: $vsource},
          database: {backend: $backend, url: $url, file: $file, size: $size, sha256: $sha,
                     schema_version: (if $schema == "" then null else ($schema | tonumber) end),
                     duration_ms: $ms},
          redis: $redis}' >"$manifest.partial"
    PARTIALS+=("$manifest.partial")
    mv "$manifest.partial" "$manifest"
    retention
    info "manifest: $manifest"
    echo "$manifest"
    exit "$rc"
}

main "$@"
