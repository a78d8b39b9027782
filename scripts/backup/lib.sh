# shellcheck shell=bash
# Shared by scripts/backup/backup.sh and restore.sh (sourced, not run): messages, URL parsing
# that keeps passwords out of command lines and output, dotenv reading, checksums.

PROG=${PROG:-$(basename "$0")}

info() { printf '%s: %s\n' "$PROG" "$*" >&2; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
# fail CODE MESSAGE: print and exit with CODE.
fail() {
    local code=$1
    shift
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit "$code"
}
die_usage() {
    printf '%s: %s\nTry: %s --help\n' "$PROG" "$*" "$PROG" >&2
    exit 64
}
have() { command -v "$1" >/dev/null 2>&1; }
need_tool() { have "$1" || fail 69 "$1 is not installed (apt-get install -y $2)"; }

# Hides the password in scheme://user:password@host URLs (also :password@ without a user).
mask_url() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }

urldecode() {
    local s=${1//+/ }
    printf '%b' "${s//%/\\x}"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
size_of() { stat -c %s "$1"; }

# The backend of a database URL: postgres or sqlite; empty when neither.
db_backend() {
    case $1 in
        postgres://* | postgresql://*) echo postgres ;;
        sqlite:*) echo sqlite ;;
        *) echo "" ;;
    esac
}

# The file of a sqlite: URL as the server reads it (relative paths are relative to the
# server's working directory, so run these scripts from there or pass an absolute URL).
sqlite_path() {
    local rest=${1#sqlite://}
    [[ $rest != "$1" ]] || rest=${1#sqlite:}
    echo "${rest%%\?*}"
}

# pg_split URL: sets PG_CONNINFO (the URL without its password, safe to show and to pass on
# a command line) and PG_PASSWORD (decoded; give it to libpq as PGPASSWORD).
pg_split() {
    local url=$1 scheme rest userinfo hostpart
    scheme=${url%%://*}
    rest=${url#*://}
    PG_PASSWORD=""
    if [[ $rest == *@* ]]; then
        userinfo=${rest%%@*}
        hostpart=${rest#*@}
        if [[ $userinfo == *:* ]]; then
            PG_PASSWORD=$(urldecode "${userinfo#*:}")
            userinfo=${userinfo%%:*}
        fi
        PG_CONNINFO="$scheme://${userinfo:+$userinfo@}$hostpart"
    else
        PG_CONNINFO=$url
    fi
}

# pg TOOL ARGS...: runs a libpq tool (psql, pg_dump, pg_restore) against DB_URL without the
# password on its command line.
pg() {
    local tool=$1
    shift
    PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10} "$tool" "$@"
}

# psql_value SQL: one value from the database in DB_URL (pg_split first).
psql_value() { pg psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$PG_CONNINFO" -c "$1"; }

# redis_split URL: sets REDIS_HOST REDIS_PORT REDIS_DB REDIS_USER REDIS_PASSWORD REDIS_TLS
# and REDIS_CLI (an array: redis-cli with the connection options; the password goes in
# REDISCLI_AUTH, never on the command line).
redis_split() {
    local url=$1 rest userinfo hostport path
    REDIS_TLS=0
    [[ $url == rediss://* ]] && REDIS_TLS=1
    rest=${url#*://}
    REDIS_USER="" REDIS_PASSWORD=""
    if [[ $rest == *@* ]]; then
        userinfo=${rest%%@*}
        rest=${rest#*@}
        if [[ $userinfo == *:* ]]; then
            REDIS_USER=$(urldecode "${userinfo%%:*}")
            REDIS_PASSWORD=$(urldecode "${userinfo#*:}")
        else
            REDIS_USER=$(urldecode "$userinfo")
        fi
    fi
    rest=${rest%%\?*}
    hostport=${rest%%/*}
    path=""
    [[ $rest == */* ]] && path=${rest#*/}
    REDIS_DB=${path:-0}
    REDIS_HOST=${hostport%:*}
    REDIS_PORT=6379
    [[ $hostport == *:* ]] && REDIS_PORT=${hostport##*:}
    [[ -n $REDIS_HOST ]] || REDIS_HOST=127.0.0.1
    REDIS_CLI=(redis-cli --no-auth-warning -h "$REDIS_HOST" -p "$REDIS_PORT" -n "$REDIS_DB")
    ((REDIS_TLS)) && REDIS_CLI+=(--tls)
    [[ -n $REDIS_USER ]] && REDIS_CLI+=(--user "$REDIS_USER")
    return 0
}

redis() { REDISCLI_AUTH=$REDIS_PASSWORD "${REDIS_CLI[@]}" "$@"; }

# dotenv_get FILE NAME: the value of NAME in a dotenv file (last one wins; quotes removed);
# the file is read, never executed.
dotenv_get() {
    [[ -r $1 ]] || return 0
    awk -v name="$2" '
        /^[[:space:]]*(#|$)/ { next }
        {
            line = $0; sub(/^[[:space:]]*(export[[:space:]]+)?/, "", line)
            eq = index(line, "="); if (eq == 0) next
            key = substr(line, 1, eq - 1); gsub(/[[:space:]]+$/, "", key)
            if (key != name) next
            val = substr(line, eq + 1); gsub(/^[[:space:]]+|[[:space:]]+$/, "", val)
            if (val ~ /^".*"$/ || val ~ /^\047.*\047$/) val = substr(val, 2, length(val) - 2)
            found = val; have = 1
        }
        END { if (have) print found }' "$1"
}

# llmchat_cmd ARGS...: runs the llmchat binary with only the LLMCHAT_* variables it knows
# (the server refuses unknown ones, and LLMCHAT_BIN, LLMCHAT_URL… are ours).
llmchat_cmd() {
    local bin=$1
    shift
    env -u LLMCHAT_BIN -u LLMCHAT_MOCK_BIN -u LLMCHAT_URL -u LLMCHAT_DEPLOY_ROOT \
        -u LLMCHAT_BACKUP_DIR -u LLMCHAT_OPS_VENV "$bin" "$@"
}

# The schema version (the newest applied migration) of the database in DB_URL; empty when
# the database has no migrations table.
schema_version_pg() {
    psql_value "SELECT max(version) FROM _sqlx_migrations WHERE success" 2>/dev/null || true
}
schema_version_sqlite() {
    sqlite3 -readonly "$1" "SELECT max(version) FROM _sqlx_migrations WHERE success" 2>/dev/null || true
}

# PostgreSQL inside a container without a published port (docker-compose.yml's `postgres`):
# the client tools run in the container, as its POSTGRES_USER, on its POSTGRES_DB.
# in_pg_container NAME [-i] SHELL_COMMAND
in_pg_container() {
    local name=$1 interactive=()
    shift
    if [[ $1 == -i ]]; then interactive=(-i); shift; fi
    docker exec "${interactive[@]}" "$name" sh -c "$1"
}
# shellcheck disable=SC2016 # expanded by the container's shell
readonly PG_CONTAINER_DB='-U "$POSTGRES_USER" -d "${POSTGRES_DB:-$POSTGRES_USER}"'
pg_container_value() {
    in_pg_container "$1" "psql -X -q -A -t -v ON_ERROR_STOP=1 $PG_CONTAINER_DB -c \"$2\""
}
