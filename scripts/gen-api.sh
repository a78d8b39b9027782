#!/usr/bin/env bash
# Regenerate the web UI's API types from the server's OpenAPI document:
# web/src/api/openapi.json (from `llmchat openapi`), then web/src/api/schema.d.ts
# (openapi-typescript). Run it after changing a route or a payload; the tests
# fail while either file is stale.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo run --quiet --bin llmchat -- openapi >web/src/api/openapi.json.tmp
mv web/src/api/openapi.json.tmp web/src/api/openapi.json
echo "wrote web/src/api/openapi.json"
if command -v npm >/dev/null 2>&1; then
    if [[ ! -d web/node_modules ]]; then npm --prefix web ci --no-audit --no-fund; fi
    npm --prefix web run --silent gen:api
else
    echo "npm is not installed: web/src/api/schema.d.ts was not regenerated" >&2
    exit 1
fi
