# shellcheck shell=bash
# Shared by deploy.sh and its targets (sourced): messages, exit codes, dry-run, config reading.

# shellcheck disable=SC2034 # used by deploy.sh and the target files that source this one
readonly EX_FAILED=1 EX_ROLLED_BACK=2 EX_REFUSED=3 EX_BROKEN=4
# shellcheck disable=SC2034
readonly EX_USAGE=64 EX_UNAVAILABLE=69 EX_LOCKED=75

step() { printf '==> %s\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
warn() { printf 'deploy.sh: warning: %s\n' "$*" >&2; }
# fail CODE MESSAGE
fail() {
    local code=$1
    shift
    printf 'deploy.sh: error: %s\n' "$*" >&2
    exit "$code"
}
die_usage() {
    printf 'deploy.sh: %s\nTry: deploy.sh --help\n' "$*" >&2
    exit "$EX_USAGE"
}
have() { command -v "$1" >/dev/null 2>&1; }
need_tool() { have "$1" || fail "$EX_UNAVAILABLE" "$1 is not installed (apt-get install -y $2)"; }

mask_url() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }

# run CMD...: prints the command (as it would be typed) on the original standard output
# (fd 3, so that redirecting the command's output keeps the line) and runs it, unless
# --dry-run.
run() {
    printf '+ %s\n' "$(quote_cmd "$@")" >&3
    ((DRY_RUN)) && return 0
    "$@"
}
# run_note TEXT: a step that is not one command, printed like one.
run_note() { printf '+ %s\n' "$*" >&3; }
quote_cmd() {
    local out="" a
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+=" $a"; else out+=" $(printf '%q' "$a")"; fi
    done
    printf '%s' "${out# }"
}

# yaml_get FILE a.b.c: a scalar of a block-style YAML file (config/deployment.yml).
yaml_get() {
    [[ -r $1 ]] || return 0
    awk -v path="$2" '
        BEGIN { n = split(path, want, "."); depth = 0 }
        /^[[:space:]]*(#|$)/ { next }
        {
            match($0, /^ */); ind = RLENGTH; line = substr($0, ind + 1)
            if (line !~ /^[A-Za-z0-9_.-]+:/) next
            key = line; sub(/:.*/, "", key)
            val = line; sub(/^[^:]*:[[:space:]]*/, "", val)
            while (depth > 0 && indent[depth] >= ind) depth--
            depth++; indent[depth] = ind; keys[depth] = key
            if (depth != n) next
            for (i = 1; i <= n; i++) if (keys[i] != want[i]) next
            sub(/[[:space:]]+#.*$/, "", val); gsub(/^["\047]|["\047]$/, "", val)
            print val; exit
        }' "$1"
}

# deployment_get KEY: environments.<env>.KEY, else defaults.KEY, from config/deployment.yml.
deployment_get() {
    local file=$SOURCE_DIR/config/deployment.yml value
    value=$(yaml_get "$file" "environments.$ENVIRONMENT.$1")
    [[ -n $value ]] || value=$(yaml_get "$file" "defaults.$1")
    printf '%s' "$value"
}

# Seconds since the epoch with milliseconds, for timings.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_until SECONDS CMD...: runs CMD every 0.25 s until it succeeds; 1 when time runs out.
wait_until() {
    local limit=$1 deadline
    shift
    deadline=$(($(date +%s%N) / 1000000 + limit * 1000))
    while :; do
        "$@" && return 0
        (($(date +%s%N) / 1000000 < deadline)) || return 1
        sleep 0.25
    done
}
