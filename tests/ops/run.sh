#!/usr/bin/env bash
# Run the operations-kit tests (tests/ops/test-*.sh): the container image, the Compose stack,
# the Kubernetes manifests (render, schema, policies, podman kube play), monitoring (promtool
# and a live Prometheus), the health-check, backup/restore and deploy scripts, and the release
# workflow. Each test runs alone too: `bash tests/ops/test-NAME.sh`.
#
# Usage: tests/ops/run.sh [NAME...]     e.g. tests/ops/run.sh k8s backup
#
# Needs the release binaries (LLMCHAT_BIN, default target/release/llmchat, and llmchat-mock
# beside it), root (podman, debootstrap), and Debian's podman buildah runc debootstrap
# prometheus prometheus-alertmanager docker-compose sqlite3 postgresql-client redis-tools;
# .ci/run installs them. PostgreSQL from TEST_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/test).
#
# Exit status: 0 when every test passed, 1 otherwise, 2 for an unknown test name.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# The order matters: test-image builds localhost/llmchat:ci, which compose and kube-play use.
all=(image compose k8s kube-play monitoring health-check backup deploy workflow)

case ${1:-} in
    -h | --help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac
names=("$@")
if ((${#names[@]} == 0)); then names=("${all[@]}"); fi
for name in "${names[@]}"; do
    [[ -f tests/ops/test-$name.sh ]] || { echo "tests/ops/run.sh: no test named '$name' (have: ${all[*]})" >&2; exit 2; }
done

results=()
failed=0
for name in "${names[@]}"; do
    printf '\n==> ops: %s\n' "$name"
    start=$SECONDS
    if bash "tests/ops/test-$name.sh"; then
        results+=("ok    $name ($((SECONDS - start)) s)")
    else
        results+=("FAIL  $name (exit $?, $((SECONDS - start)) s)")
        failed=1
    fi
done

printf '\n==> ops summary\n'
printf '    %s\n' "${results[@]}"
exit "$failed"
