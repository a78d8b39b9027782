#!/usr/bin/env bash
# Renders the Kubernetes manifests (k8s/base, k8s/overlays/*, and production with every
# optional component) with `kubectl kustomize`, validates every document against the
# Kubernetes API schemas (kubernetes-validate --strict, the oldest supported and the current
# version), runs the policy checks of tests/ops/k8s_policy.py on each overlay (and its
# self-test, which proves every check can fail), and, when the llmchat binary is built, feeds
# each overlay's ConfigMap and the example Secret's keys to `llmchat config check`; checks that
# config/deployment.yml agrees with the overlays and the Dockerfile (tests/ops/deployment_config.py).
#
# Usage: bash tests/ops/test-k8s.sh [--help]
# Environment: K8S_VERSIONS (default "1.30.0 1.37.0"), LLMCHAT_BIN (optional here).
# Exit codes: 0 all checks passed, 1 a check failed, 2 usage error.
set -euo pipefail
# shellcheck source=tests/ops/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    sed -n '2,/^# Exit codes/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
fi
[[ $# -eq 0 ]] || { echo "usage: bash tests/ops/test-k8s.sh [--help]" >&2; exit 2; }

started=$SECONDS
ENVS=(development staging production)
CRD_KINDS=ServiceMonitor
read -r -a versions <<<"${K8S_VERSIONS:-1.30.0 1.37.0}"
venv=$(ops_venv)
kubectl=$venv/bin/kubectl
python=$venv/bin/python
renders=$OPS_WORK/rendered
mkdir -p "$renders"

section "kubectl kustomize ($("$kubectl" version --client 2>/dev/null | tr '\n' ' '))"
render() { # NAME DIR
    "$kubectl" kustomize "$2" >"$renders/$1.yaml" || die "kubectl kustomize $2 failed"
    note "$2 -> $(grep -c '^kind:' "$renders/$1.yaml") documents"
}
render base k8s/base
for env in "${ENVS[@]}"; do render "$env" "k8s/overlays/$env"; done
# Production with the optional components, from a throw-away overlay (kustomize wants
# relative paths).
all=$OPS_WORK/all-components
mkdir -p "$all"
rel=$(realpath --relative-to="$all" k8s)
cat >"$all/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [$rel/overlays/production]
components: [$rel/components/servicemonitor, $rel/components/prestop-exec, $rel/components/egress-self-hosted-llm]
EOF
render production-components "$all"

section "schema validation (kubernetes-validate --strict; CRDs skipped: $CRD_KINDS)"
validate() { # FILE... (one kubernetes-validate run per Kubernetes version)
    local v out f
    for v in "${versions[@]}"; do
        out=$("$venv/bin/kubernetes-validate" --strict -k "$v" "$@" 2>&1) ||
            { printf '%s\n' "$out" | grep -v '^INFO' >&2; die "schema validation failed for Kubernetes $v"; }
        # Unknown kinds only warn; only the CRDs listed above may be unknown.
        if printf '%s\n' "$out" | grep "Couldn't find schema" | grep -vE "kind ($CRD_KINDS) " >&2; then
            die "a kind without a schema for Kubernetes $v (typo in apiVersion/kind?)"
        fi
        for f in "$@"; do
            note "Kubernetes $v: $(printf '%s\n' "$out" | grep -cF "$f passed for resource") documents of ${f#"$OPS_WORK"/} valid"
        done
    done
}
# The renders, and the guide's one-file-at-a-time path (`kubectl apply -f k8s/namespace.yaml`
# ...) with the example Secret.
validate "$renders"/*.yaml k8s/*.yaml

section "example Secret is never rendered"
grep -q 'llmchat.io/example-only: "true"' k8s/secret.example.yaml || die "k8s/secret.example.yaml lost its example-only marker"
for f in "$renders"/*.yaml; do
    ! grep -q 'llmchat-secrets-example' "$f" || die "$(basename "$f") contains the example Secret"
done
note "no render contains llmchat-secrets-example"

section "policy self-test (each check must fail on a broken manifest)"
"$python" tests/ops/k8s_policy.py --self-test "$renders/production.yaml" | grep ' fails on ' ||
    die "policy self-test failed"

for env in "${ENVS[@]}"; do
    section "policies: $env"
    "$python" tests/ops/k8s_policy.py "$env" "$renders/$env.yaml" || die "policy check failed for $env"
done
section "policies: production with all components"
"$python" tests/ops/k8s_policy.py production "$renders/production-components.yaml" >/dev/null ||
    die "policy check failed for production with components"
note "ok"

section "config/deployment.yml agrees with the overlays and the Dockerfile"
"$python" tests/ops/deployment_config.py config/deployment.yml Dockerfile "$renders" ||
    die "config/deployment.yml has drifted from k8s/ or the Dockerfile"

section "llmchat config check with each overlay's ConfigMap"
if [[ -x $LLMCHAT_BIN ]]; then
    # KEY=VALUE lines of one kind/name from a render.
    kv() { "$python" - "$@" <<'PY'
import sys, yaml
path, kind, name = sys.argv[1:]
for d in yaml.safe_load_all(open(path)):
    if d and d["kind"] == kind and d["metadata"]["name"] == name:
        for k, v in {**d.get("data", {}), **d.get("stringData", {})}.items():
            print(f"{k}={v}")
PY
    }
    mapfile -t secret_vars < <(kv k8s/secret.example.yaml Secret llmchat-secrets-example)
    for env in "${ENVS[@]}"; do
        mapfile -t vars < <(kv "$renders/$env.yaml" ConfigMap llmchat-config)
        extra=()
        # Development runs without the Secret (SQLite, generated JWT key).
        [[ $env == development ]] || extra=("${secret_vars[@]}")
        out=$(env -i PATH="$PATH" HOME="$OPS_WORK" "${vars[@]}" "${extra[@]}" \
            LLMCHAT_DATA_DIR="$OPS_WORK/data-$env" "$LLMCHAT_BIN" config check 2>"$OPS_WORK/check.err") ||
            { cat "$OPS_WORK/check.err" >&2; die "llmchat config check refused the $env ConfigMap"; }
        printf '%s\n' "$out" | "$python" -c '
import json, sys, yaml
path, env = sys.argv[1:]
cm = next(d for d in yaml.safe_load_all(open(path)) if d and d["kind"] == "ConfigMap")["data"]
s = json.load(sys.stdin)
got = (s["environment"], s["log"]["level"], str(s["debug"]).lower(), str(s["server"]["port"]))
want = (env, cm["LOG_LEVEL"], cm["LLMCHAT_DEBUG"], cm["PORT"])
assert got == want, f"server settings {got}, ConfigMap says {want}"
drain, grace = s.get("shutdown_drain"), s.get("shutdown_grace")
print(f"    {env}: environment={got[0]} log.level={got[1]} debug={got[2]} port={got[3]}"
      f" shutdown_drain={drain} shutdown_grace={grace}")
' "$renders/$env.yaml" "$env" ||
            die "the $env ConfigMap does not give the server the environment table's settings"
    done
else
    note "skipped: $LLMCHAT_BIN not built (cargo build --release --bin llmchat)"
fi

section "test-k8s passed in $((SECONDS - started)) s"
