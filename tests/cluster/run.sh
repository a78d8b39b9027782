#!/usr/bin/env bash
# The multi-replica test bed (tests/cluster/bed.py): three `llmchat serve` replicas on
# loopback, sharing a fresh PostgreSQL database and one Redis key prefix, behind a real
# nginx (round-robin). Checks that turns are read and stopped through any replica, that
# reloads and revoked API keys reach every replica, that a replica killed mid-turn has its
# turn closed by another, and that a rolling restart under load fails no request and
# loses no stored answer or usage record.
#
# Usage: LLMCHAT_BIN=path/to/llmchat tests/cluster/run.sh
#        tests/cluster/run.sh --help
#
# Environment:
#   LLMCHAT_BIN        required: the llmchat binary to run (not built here)
#   TEST_DATABASE_URL  PostgreSQL server to create the bed's database on
#                      (default postgres://postgres@127.0.0.1:5432/test)
#   TEST_REDIS_URL     Redis shared by the replicas (default redis://127.0.0.1:6379)
#
# Needs nginx, psql and python3 (3.11, standard library only). Exits non-zero when a test
# fails; the replicas' logs are then printed and kept.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

usage() {
    sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

fail() {
    echo "tests/cluster: $*" >&2
    exit 2
}

if [[ ${1:-} == --help || ${1:-} == -h ]]; then
    usage
    exit 0
fi
[[ $# -eq 0 ]] || fail "unexpected arguments: $* (see --help)"

[[ -n ${LLMCHAT_BIN:-} ]] || fail "set LLMCHAT_BIN to the llmchat binary"
[[ -x $LLMCHAT_BIN ]] || fail "LLMCHAT_BIN=$LLMCHAT_BIN is not an executable file"
command -v nginx >/dev/null || fail "nginx not found: install nginx (apt-get install -y nginx)"
command -v psql >/dev/null || fail "psql not found: install postgresql-client"
command -v python3 >/dev/null || fail "python3 not found"

LLMCHAT_BIN=$(realpath "$LLMCHAT_BIN")
export LLMCHAT_BIN
echo "tests/cluster: $LLMCHAT_BIN"
exec python3 tests/cluster/bed.py
