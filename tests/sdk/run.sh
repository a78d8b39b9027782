#!/usr/bin/env bash
# Run the official-SDK tests (tests/sdk/*.py): the unmodified `openai` and `anthropic` Python
# packages against the real llmchat debug binary (SQLite) with llmchat-mock as upstream.
#
# Usage: tests/sdk/run.sh [pytest arguments]
#
# LLMCHAT_BIN and LLMCHAT_MOCK_BIN choose the binaries; unset, the debug ones are built.
#
# The virtualenv lives in $LLMCHAT_SDK_VENV (default: <cargo target dir>/sdk-venv) and is
# reused while tests/sdk/requirements.txt is unchanged. Needs python3 with venv (Debian:
# python3-venv) and access to PyPI the first time.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

target=${CARGO_TARGET_DIR:-target}
# Absolute: the tests start the binaries from temporary working directories.
[[ $target == /* ]] || target=$PWD/$target
venv=${LLMCHAT_SDK_VENV:-$target/sdk-venv}
requirements=tests/sdk/requirements.txt

# shellcheck source=tests/support/venv.sh
source tests/support/venv.sh
prepare_venv tests/sdk "$venv" "$requirements"

# Binaries given (scripts/test.sh passes the release build it makes anyway) are used as they
# are; otherwise the debug ones are built, with the test suite's features.
if [[ -z ${LLMCHAT_BIN:-} || -z ${LLMCHAT_MOCK_BIN:-} ]]; then
    cargo build --quiet --all-features --bins
    export LLMCHAT_BIN=$target/debug/llmchat
    export LLMCHAT_MOCK_BIN=$target/debug/llmchat-mock
fi
echo "tests/sdk: $LLMCHAT_BIN"
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/sdk "$@"
