#!/usr/bin/env bash
# The OpenAPI contract check (tests/contract/contract.py): schemathesis against the real
# llmchat (SQLite) and llmchat-mock, signed in as an administrator and as a user.
#
# Usage: tests/contract/run.sh [schemathesis run arguments]
#
# LLMCHAT_BIN and LLMCHAT_MOCK_BIN choose the binaries; unset, the debug ones are built.
# LLMCHAT_CONTRACT_SEED and LLMCHAT_CONTRACT_MAX_EXAMPLES change the generation.
#
# The virtualenv lives in $LLMCHAT_CONTRACT_VENV (default: <cargo target dir>/contract-venv)
# and is reused while tests/contract/requirements.txt is unchanged. Needs python3 with venv
# (Debian: python3-venv) and access to PyPI the first time.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

target=${CARGO_TARGET_DIR:-target}
[[ $target == /* ]] || target=$PWD/$target
venv=${LLMCHAT_CONTRACT_VENV:-$target/contract-venv}
requirements=tests/contract/requirements.txt

# shellcheck source=tests/support/venv.sh
source tests/support/venv.sh
prepare_venv tests/contract "$venv" "$requirements"

if [[ -z ${LLMCHAT_BIN:-} || -z ${LLMCHAT_MOCK_BIN:-} ]]; then
    cargo build --quiet --all-features --bins
    export LLMCHAT_BIN=$target/debug/llmchat
    export LLMCHAT_MOCK_BIN=$target/debug/llmchat-mock
fi
echo "tests/contract: $LLMCHAT_BIN"
exec "$venv/bin/python" tests/contract/contract.py "$@"
