#!/usr/bin/env bash
# Deploys LLMChat to an environment, checks it, and rolls back when the new release is not
# healthy. See usage() or --help.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/deployment/lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=scripts/deployment/lib/local.sh
source "$SCRIPT_DIR/lib/local.sh"
# shellcheck source=scripts/deployment/lib/compose.sh
source "$SCRIPT_DIR/lib/compose.sh"
# shellcheck source=scripts/deployment/lib/k8s.sh
source "$SCRIPT_DIR/lib/k8s.sh"

usage() {
    cat <<'EOF'
Usage: deploy.sh <development|staging|production> [options]

Deploys a release, waits until it is healthy, and rolls back by itself when it is not.

  deploy.sh development                         # the environment's target (config/deployment.yml)
  deploy.sh staging --backup
  deploy.sh production --backup --force
  deploy.sh production --rollback
  deploy.sh production --target local --version v1.1.0 --bin target/release/llmchat

Options:
  --target T        local | compose | k8s (default: the environment's platform in
                    config/deployment.yml: compose for development, k8s for staging and
                    production; or $LLMCHAT_DEPLOY_TARGET)
  --version V       the release's name: local: releases/V (default v<app version>-<commit>
                    of the binary); compose: also tags the image llmchat:V; k8s: sets the
                    image llmchat:V (default: the overlay's image)
  --backup          back up the database before migrating (scripts/backup/backup.sh; k8s: a
                    Job from the llmchat-backup CronJob); a failed backup stops the deploy
  --rollback        go back to the previous release (local: the `previous` link; compose:
                    the llmchat:previous image; k8s: kubectl rollout undo)
  --force           production: deploy although a pre-flight check failed; local: restart
                    a release that is already current
  --dry-run         print the commands without running them (nothing changes)
  --timeout S       how long the new release may take to become healthy (default 60 for
                    local and compose, 600 for k8s: a rollout replaces pods one by one)
  --soak S          local: how long the new release serves beside the old one, and must stay
                    up and ready, before the old one is stopped (default 5)
  --status          show what is deployed and its health, then exit
  --stop            local: stop the current release (e.g. before restore.sh), then exit
  --tests           also run `scripts/test.sh --quick` as a pre-flight check
  --bin PATH        local: the llmchat binary to deploy (default target/release/llmchat)
  --source DIR      the checkout to deploy from: its git state is checked, and config/,
                    config/deployment.yml, docker-compose.yml and k8s/ are read from it
                    (default: the repository holding this script)
  --config-dir DIR  local: the configuration the release gets (default config/; secrets
                    stay in <root>/shared/.env)
  --root DIR        local: the deployment root (default $LLMCHAT_DEPLOY_ROOT, else ./deploy
                    for development and /opt/llmchat otherwise)
  --keep-releases N local: old releases kept besides current and previous (default 5)
  --backup-keep N   backups of each kind kept by --backup (default 10)
  -h, --help        this help

Pre-flight checks: the source tree is a clean git checkout (no uncommitted or untracked
files); the build is there (local: the binary runs, `llmchat config check` and `llmchat
agents validate` pass in the release; compose: `docker-compose config`; k8s: the overlay
renders); the current release is healthy (health-check.sh --component api); with --tests,
the quick test suite passes. In production a failed check stops the deploy (exit 3) unless
--force; elsewhere it is a warning.

Local target, zero downtime: the new release starts beside the old one on the same port
(LLMCHAT_SERVER__REUSE_PORT=true: SO_REUSEPORT), is ready when it listens and
/api/health/ready answers 200, then `current` switches and the old process gets SIGTERM: its
readiness turns 503, it keeps accepting for LLMCHAT_SHUTDOWN_DRAIN, closes its listener and
finishes in-flight requests. With net.ipv4.tcp_migrate_req=1 (set when run as root) the
kernel hands connections still queued on the closing listener to the new one.

Exit codes:
  0   deployed (or rolled back on request) and healthy; or nothing to do
  1   failed before the switch (bad release, migration, backup, build): nothing changed
  2   the new release was not healthy and was rolled back by itself; the previous serves
  3   refused: a pre-flight check failed in production (see the messages; --force)
  4   broken: the rollback failed too; a human is needed (see the messages)
  64  usage error
  69  a required tool is missing
  75  another deploy is running (lock in the deployment root)
EOF
}

ENVIRONMENT="" TARGET=${LLMCHAT_DEPLOY_TARGET:-} VERSION="" VERSION_GIVEN=0 DO_BACKUP=0
ROLLBACK=0 FORCE=0 DRY_RUN=0 TIMEOUT="" STATUS=0 STOP=0 RUN_TESTS=0 BIN="" CONFIG_DIR=""
ROOT="" KEEP_RELEASES=5 BACKUP_KEEP=10 SOAK=5
SOURCE_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)

parse_args() {
    while (($#)); do
        case $1 in
            -h | --help) usage; exit 0 ;;
            --backup) DO_BACKUP=1 ;;
            --rollback) ROLLBACK=1 ;;
            --force) FORCE=1 ;;
            --dry-run) DRY_RUN=1 ;;
            --status) STATUS=1 ;;
            --stop) STOP=1 ;;
            --tests) RUN_TESTS=1 ;;
            --target | --version | --timeout | --soak | --source | --bin | --config-dir | --root | --keep-releases | --backup-keep)
                (($# >= 2)) || die_usage "$1 needs a value"
                case $1 in
                    --target) TARGET=$2 ;;
                    --version) VERSION=$2 VERSION_GIVEN=1 ;;
                    --timeout) TIMEOUT=$2 ;;
                    --soak) SOAK=$2 ;;
                    --source) SOURCE_DIR=$(cd "$2" 2>/dev/null && pwd) || die_usage "no directory $2 (--source)" ;;
                    --bin) BIN=$2 ;;
                    --config-dir) CONFIG_DIR=$2 ;;
                    --root) ROOT=$2 ;;
                    --keep-releases) KEEP_RELEASES=$2 ;;
                    --backup-keep) BACKUP_KEEP=$2 ;;
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
    [[ -n $ENVIRONMENT ]] || die_usage "which environment? development, staging or production"
    case $ENVIRONMENT in development | staging | production) ;; *)
        die_usage "unknown environment '$ENVIRONMENT': development, staging or production" ;;
    esac
    if [[ -z $TARGET ]]; then
        case $(deployment_get platform) in
            kubernetes | k8s) TARGET=k8s ;;
            compose) TARGET=compose ;;
            *) TARGET=local ;;
        esac
    fi
    case $TARGET in local | compose | k8s) ;; *) die_usage "--target must be local, compose or k8s, not '$TARGET'" ;; esac
    if [[ -z $TIMEOUT ]]; then
        if [[ $TARGET == k8s ]]; then TIMEOUT=600; else TIMEOUT=60; fi
    fi
    [[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die_usage "--timeout must be a positive whole number of seconds, not '$TIMEOUT'"
    [[ $SOAK =~ ^[0-9]+$ ]] || die_usage "--soak must be a whole number of seconds, not '$SOAK'"
    [[ $KEEP_RELEASES =~ ^[0-9]+$ ]] || die_usage "--keep-releases must be a whole number"
    [[ $BACKUP_KEEP =~ ^[0-9]+$ ]] || die_usage "--backup-keep must be a whole number"
    ((ROLLBACK + STATUS + STOP <= 1)) || die_usage "--rollback, --status and --stop exclude each other"
    ((!STOP)) || [[ $TARGET == local ]] || die_usage "--stop is for the local target"
    if ((ROLLBACK)) && ((DO_BACKUP)); then die_usage "--backup does not go with --rollback (a rollback migrates nothing)"; fi
    if [[ -n $VERSION && ! $VERSION =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]]; then
        die_usage "--version must be letters, digits, dots, dashes or underscores, not '$VERSION'"
    fi
    CONFIG_DIR=${CONFIG_DIR:-$SOURCE_DIR/config}
    BIN=${BIN:-${CARGO_TARGET_DIR:-$SOURCE_DIR/target}/release/llmchat}
    [[ $BIN == /* ]] || BIN=$PWD/$BIN
    [[ $CONFIG_DIR == /* ]] || CONFIG_DIR=$PWD/$CONFIG_DIR
}

# --- pre-flight checks -----------------------------------------------------------------------

CHECK_FAILURES=()

check_git() {
    if ! git -C "$SOURCE_DIR" rev-parse --git-dir >/dev/null 2>&1; then
        CHECK_FAILURES+=("$SOURCE_DIR is not a git checkout: cannot tell what is being deployed")
        return
    fi
    local dirty exclude=()
    # The local target's default root (./deploy) lives in the checkout.
    if [[ -n $ROOT && $ROOT == "$SOURCE_DIR"/* ]]; then exclude=(":(exclude)${ROOT#"$SOURCE_DIR"/}"); fi
    dirty=$(git -C "$SOURCE_DIR" status --porcelain -- . "${exclude[@]}" | wc -l)
    if ((dirty > 0)); then
        CHECK_FAILURES+=("the source tree $SOURCE_DIR has $dirty uncommitted or untracked change(s) (git status)")
    else
        info "git: clean at $(git -C "$SOURCE_DIR" rev-parse --short=12 HEAD)"
    fi
}

check_current_health() {
    local url
    case $TARGET in
        local)
            local current
            current=$(link_version current)
            if [[ -z $current || -z $(pid_of "$current") ]]; then
                info "health: no release is running yet"
                return
            fi
            url=$HEALTH_URL
            ;;
        compose)
            if [[ $(container_health) == missing ]]; then
                info "health: no backend container yet"
                return
            fi
            url=$COMPOSE_URL
            ;;
        k8s) url=$K8S_URL ;;
    esac
    [[ -n $url ]] || { info "health: no URL to check"; return; }
    local out rc=0
    out=$("$SCRIPT_DIR/../monitoring/health-check.sh" "$ENVIRONMENT" --url "$url" --component api --timeout 5 2>&1) || rc=$?
    case $rc in
        0) info "health: the current release is healthy ($url)" ;;
        1) CHECK_FAILURES+=("the current release is degraded: $(sed -n 2p <<<"$out" | sed 's/^ *//')") ;;
        *) CHECK_FAILURES+=("the current release is not healthy ($url): $(sed -n 2p <<<"$out" | sed 's/^ *//')") ;;
    esac
}

check_tests() {
    ((RUN_TESTS)) || return 0
    step "pre-flight: scripts/test.sh --quick"
    if ((DRY_RUN)); then run_note "$SOURCE_DIR/scripts/test.sh --quick"; return; fi
    if ! "$SOURCE_DIR/scripts/test.sh" --quick >"$WORK/tests.log" 2>&1; then
        CHECK_FAILURES+=("the quick test suite failed (scripts/test.sh --quick; last lines: $(tail -n 3 "$WORK/tests.log" | tr '\n' ' '))")
    fi
}

preflight_checks() {
    step "pre-flight checks"
    check_git
    check_current_health
    check_tests
    ((${#CHECK_FAILURES[@]})) || return 0
    local f
    if [[ $ENVIRONMENT == production ]] && ((!FORCE)); then
        for f in "${CHECK_FAILURES[@]}"; do printf 'deploy.sh: check failed: %s\n' "$f" >&2; done
        fail "$EX_REFUSED" "production deploy refused: ${#CHECK_FAILURES[@]} pre-flight check(s) failed (fix them, or pass --force)"
    fi
    for f in "${CHECK_FAILURES[@]}"; do
        warn "check failed: $f ($([[ $ENVIRONMENT == production ]] && echo "--force" || echo "not production"): continuing)"
    done
}

default_version() {
    if [[ $TARGET == local ]]; then
        echo "v$APP_VERSION-${APP_COMMIT:0:12}"
    else
        git -C "$SOURCE_DIR" describe --tags --always --dirty 2>/dev/null || date -u +%Y%m%d%H%M%S
    fi
}

main() {
    exec 3>&1
    parse_args "$@"
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/llmchat-deploy.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
    ((!DRY_RUN)) || step "dry run: commands are printed, not run"
    case $TARGET in
        local)
            local_init
            if ((STATUS)); then local_status; exit 0; fi
            if ((STOP)); then local_stop; exit 0; fi
            if ((ROLLBACK)); then local_rollback; exit 0; fi
            [[ -x $BIN ]] || fail "$EX_FAILED" "no llmchat binary at $BIN: build it (cargo build --release) or pass --bin"
            [[ -d $CONFIG_DIR ]] || fail "$EX_FAILED" "no configuration directory at $CONFIG_DIR"
            binary_facts "$BIN"
            VERSION=${VERSION:-$(default_version)}
            local_deploy "$VERSION"
            ;;
        compose)
            compose_init
            if ((STATUS)); then compose_status; exit 0; fi
            if ((ROLLBACK)); then compose_rollback; exit 0; fi
            VERSION=${VERSION:-$(default_version)}
            BACKUP_DIR=${LLMCHAT_BACKUP_DIR:-$SOURCE_DIR/backups}
            compose_deploy "$VERSION"
            ;;
        k8s)
            k8s_init
            if ((STATUS)); then k8s_status; exit 0; fi
            if ((ROLLBACK)); then k8s_rollback; exit 0; fi
            k8s_deploy
            ;;
    esac
}

main "$@"
