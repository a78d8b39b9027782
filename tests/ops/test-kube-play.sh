#!/usr/bin/env bash
# Runs the rendered development Deployment and its ConfigMap (kubectl kustomize
# k8s/overlays/development) with `podman kube play` and checks that what the manifest asks for
# really happens: the liveness probe passes as podman's healthcheck, the readiness and startup
# probe paths answer on the published port, /api/health is ok, the security context applies
# (uid 1001, read-only root, no capabilities, no privilege escalation, limits), and SIGTERM
# drains (readiness 503 while the listener stays open) and exits 0. Then it plays the backup
# CronJob's pod (staging overlay) against the PostgreSQL on 127.0.0.1:5432 and checks the dump
# restores every row and that retention removes only the old dumps.
#
# podman 4.3.1 cannot run everything in the manifest, so the test adapts a copy (and says so):
#   - only the Deployment and the ConfigMap are played (podman ignores the other kinds; it
#     would turn the backup PVC into a named volume);
#   - image -> $LLMCHAT_IMAGE, never pulled;
#   - httpGet probes become exec probes: podman runs `curl -f http://localhost:PORT/PATH` inside
#     the container, and the image has no curl; the same GET is made with bash's /dev/tcp
#     (podman joins an exec probe's words and runs them with /bin/sh -c, so it is sh-quoted);
#   - podman runs only the liveness probe (readiness, startup probes and preStop are ignored,
#     terminationGracePeriodSeconds too): the test requests those paths itself, and stops the
#     container with the manifest's grace period;
#   - the container port gets a free hostPort;
#   - healthchecks run when `podman healthcheck run` is called (no systemd timers here).
# The development overlay's Secret reference is optional, so no Secret is needed.
#
# Usage: bash tests/ops/test-kube-play.sh [--standin] [--help]
#   --standin  build a throw-away image from $LLMCHAT_BIN and config/ (Debian stand-in base)
#              instead of using $LLMCHAT_IMAGE (for development without tests/ops/test-image.sh)
# Environment: LLMCHAT_IMAGE (default localhost/llmchat:ci, built by tests/ops/test-image.sh);
#   BACKUP_IMAGE (default: the postgres:15 stand-in of tests/ops/standins.sh).
# Needs: podman, catatonit, psql/pg_restore 15, PostgreSQL on 127.0.0.1:5432 (user postgres).
# Exit codes: 0 passed, 1 a check failed, 2 usage error or missing image.
set -euo pipefail
# shellcheck source=tests/ops/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/ops/podman.sh
source tests/ops/podman.sh

standin=0
for arg in "$@"; do
    case $arg in
        -h | --help) sed -n '2,/^# Exit codes/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --standin) standin=1 ;;
        *) echo "unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

started=$SECONDS
podman_setup
need catatonit catatonit # the pod's infra container (podman builds its pause image with it)
venv=$(ops_venv)
python=$venv/bin/python
image=${LLMCHAT_IMAGE:-localhost/llmchat:ci}

if ((standin)); then
    section "stand-in image from $LLMCHAT_BIN"
    [[ -x $LLMCHAT_BIN ]] || die "$LLMCHAT_BIN not found: cargo build --release --bin llmchat"
    debian_base localhost/standin/debian:bookworm-slim
    ctx=$OPS_WORK/standin
    mkdir -p "$ctx"
    cp "$LLMCHAT_BIN" "$ctx/llmchat"
    cp -r config "$ctx/config"
    rm -f "$ctx"/config/secrets/*.env
    cat >"$ctx/Containerfile" <<'EOF'
FROM localhost/standin/debian:bookworm-slim
COPY llmchat /usr/local/bin/llmchat
COPY config /app/config
RUN groupadd -g 1001 llmchat && useradd -u 1001 -g 1001 -d /app -M llmchat && \
    mkdir -p /app/data && chown 1001:1001 /app/data
USER 1001
WORKDIR /app
ENV LLMCHAT_ENV=production
EXPOSE 3001
CMD ["llmchat"]
EOF
    image=localhost/llmchat-k8s-standin:$$
    podman build -q -t "$image" "$ctx" >/dev/null || die "building the stand-in image failed"
    on_exit "podman rmi -f '$image' >/dev/null 2>&1"
    note "$image"
fi
podman image exists "$image" ||
    { echo "image $image not found: run tests/ops/test-image.sh, set LLMCHAT_IMAGE, or use --standin" >&2; exit 2; }

section "render and adapt k8s/overlays/development for podman $(podman version --format '{{.Client.Version}}')"
port=$(free_port "$((20000 + RANDOM % 10000))")
"$venv/bin/kubectl" kustomize k8s/overlays/development >"$OPS_WORK/development.yaml" || die "kubectl kustomize failed"
"$python" - "$OPS_WORK/development.yaml" "$OPS_WORK/play.yaml" "$image" "$port" <<'PY' >"$OPS_WORK/facts"
import shlex, sys, yaml
src, dst, image, host_port = sys.argv[1:]
docs = [d for d in yaml.safe_load_all(open(src)) if d]
cm = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "llmchat-config")
dep = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "llmchat-backend")
spec = dep["spec"]["template"]["spec"]
c = spec["containers"][0]
c["image"], c["imagePullPolicy"] = image, "Never"
c["ports"][0]["hostPort"] = int(host_port)
facts = {"grace": spec["terminationGracePeriodSeconds"], "drain": cm["data"]["LLMCHAT_SHUTDOWN_DRAIN"],
         "memory_limit": c["resources"]["limits"]["memory"], "cpu_limit": c["resources"]["limits"]["cpu"],
         "uid": c["securityContext"]["runAsUser"]}
for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
    get = c[probe].pop("httpGet")
    facts[probe] = get["path"]
    assert get["port"] == c["ports"][0]["containerPort"], f"{probe} is not on the container port"
    request = f'GET {get["path"]} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n'
    script = (f'exec 3<>/dev/tcp/127.0.0.1/{get["port"]} && printf "{request}" >&3 && '
              'read -r _ code _ <&3 && [[ $code == [23]?? ]]')
    # podman 4.3.1 joins the words with spaces and runs them with /bin/sh -c: quote for sh.
    c[probe]["exec"] = {"command": ["bash", "-c", shlex.quote(script)]}
yaml.safe_dump_all([cm, dep], open(dst, "w"), sort_keys=False)
for k, v in facts.items():
    print(f"{k}={shlex.quote(str(v))}")
PY
grace='' drain='' memory_limit='' cpu_limit='' uid='' livenessProbe='' readinessProbe='' startupProbe=''
# shellcheck source=/dev/null
source "$OPS_WORK/facts"
note "probes: liveness $livenessProbe, readiness $readinessProbe, startup $startupProbe; hostPort $port"

section "podman kube play"
pod=llmchat-backend-pod-0
ctr=$pod-llmchat-backend
on_exit "podman kube down '$OPS_WORK/play.yaml' >/dev/null 2>&1"
t0=$SECONDS
# Without systemd podman cannot arm the healthcheck timers; it says so on stderr.
podman kube play --replace "$OPS_WORK/play.yaml" >"$OPS_WORK/play.log" 2>&1 ||
    { cat "$OPS_WORK/play.log" >&2; die "podman kube play failed"; }
note "pod $pod up in $((SECONDS - t0)) s"

section "liveness probe (podman healthcheck) becomes healthy"
for ((i = 0; i < 60; i++)); do
    podman healthcheck run "$ctr" >/dev/null 2>&1 && break
    sleep 1
done
inspected=$(podman inspect "$ctr" --format '{{.State.Health.Status}}')
[[ $inspected == healthy ]] || { podman logs "$ctr" 2>&1 | tail -n 20 >&2; die "health status is '$inspected' after 60 s"; }
note "podman inspect: State.Health.Status = $inspected after $((SECONDS - t0)) s"

section "probe paths on the published port"
base=http://127.0.0.1:$port
for probe in startup:"$startupProbe" liveness:"$livenessProbe" readiness:"$readinessProbe"; do
    wait_http "$base${probe#*:}" 30
    note "${probe%%:*} probe: GET ${probe#*:} -> 200"
done
health=$(curl -fsS --max-time 5 "$base/api/health") || die "/api/health did not answer 2xx"
"$python" -c 'import json,sys; s=json.loads(sys.argv[1]); assert s["status"]=="ok" and s["environment"]=="development", s' "$health" ||
    die "/api/health: $health"
note "GET /api/health -> $health"

section "security context and resources as in the manifest"
IFS='|' read -r user ro caps nnp mem quota period < <(podman inspect "$ctr" --format \
    '{{.Config.User}}|{{.HostConfig.ReadonlyRootfs}}|{{len .EffectiveCaps}}|{{.HostConfig.SecurityOpt}}|{{.HostConfig.Memory}}|{{.HostConfig.CpuQuota}}|{{.HostConfig.CpuPeriod}}')
[[ $user == "$uid":* || $user == "$uid" ]] || die "runs as '$user', not uid $uid"
[[ $ro == true ]] || die "root filesystem is not read-only"
[[ $caps == 0 ]] || die "$caps effective capabilities (drop ALL expected)"
[[ $nnp == *no-new-privileges* ]] || die "no-new-privileges not set (allowPrivilegeEscalation: false)"
want_mem=$("$python" -c 'import sys; q=sys.argv[1]; u={"Mi":2**20,"Gi":2**30}; print(int(float(q[:-2])*u[q[-2:]]))' "$memory_limit")
[[ $mem == "$want_mem" ]] || die "memory limit $mem, manifest says $memory_limit"
note "user $user, read-only root, 0 capabilities, no-new-privileges, memory $mem, cpu quota $quota/$period (limit $cpu_limit)"
if podman exec "$ctr" touch /app/probe-write 2>/dev/null; then die "could write to /app on the root filesystem"; fi
podman exec "$ctr" touch /tmp/probe-write /app/data/probe-write || die "the emptyDir volumes /tmp and /app/data are not writable"
note "root filesystem refuses writes; /tmp and /app/data (emptyDir) accept them"
env_ok=$(podman inspect "$ctr" --format '{{range .Config.Env}}{{println .}}{{end}}' | grep -cE '^(LLMCHAT_ENV=development|LOG_LEVEL=debug|LLMCHAT_DEBUG=true)$' || true)
[[ $env_ok == 3 ]] || die "the ConfigMap's LLMCHAT_ENV/LOG_LEVEL/LLMCHAT_DEBUG did not reach the container"
note "envFrom ConfigMap: LLMCHAT_ENV=development LOG_LEVEL=debug LLMCHAT_DEBUG=true"

section "SIGTERM: readiness 503 during the drain ($drain), then exit 0"
# `podman stop` (as the kubelet does when a pod is deleted) rather than `podman kill`: the
# restart policy (Always) would start the container again. 4.3.1 ignores
# terminationGracePeriodSeconds (its stop timeout stays 10 s), so the manifest's is passed.
t0=$(date +%s.%N)
podman stop -t "$grace" "$ctr" >"$OPS_WORK/stop.log" 2>&1 &
stopper=$!
code=
for ((i = 0; i < 40; i++)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base$readinessProbe" || true)
    [[ $code == 503 ]] && break
    sleep 0.1
done
[[ $code == 503 ]] || die "readiness answered '$code' after SIGTERM, expected 503 while draining"
note "readiness -> 503 while the listener is still open"
wait "$stopper" || { cat "$OPS_WORK/stop.log" >&2; die "podman stop failed"; }
stopped=$(date +%s.%N)
exit_code=$(podman inspect "$ctr" --format '{{.State.ExitCode}}')
[[ $exit_code == 0 ]] || die "exit code $exit_code after SIGTERM"
podman logs "$ctr" 2>&1 | grep -q '"shutdown complete"' || die "no 'shutdown complete' in the log"
note "exit 0 ('shutdown complete') $(awk "BEGIN { printf \"%.1f\", $stopped - $t0 }") s after SIGTERM (drain $drain; grace $grace s)"

section "backup CronJob (staging) as a pod: pg_dump of a real PostgreSQL, retention"
# kube play 4.3.1 has no CronJob: its pod template is played as a Pod, on the host network
# (PostgreSQL on 127.0.0.1:5432), DATABASE_URL given literally instead of the Secret, the PVC
# replaced by a host directory that the test can look into.
need psql postgresql-client
tcp_open 127.0.0.1 5432 || die "no PostgreSQL on 127.0.0.1:5432 (user postgres, trust) for the backup check"
if [[ -f tests/ops/standins.sh ]]; then
    # shellcheck source=/dev/null
    source tests/ops/standins.sh
    standin_postgres
fi
backup_image=${BACKUP_IMAGE:-${STANDIN_POSTGRES:-localhost/standin/postgres:15}}
podman image exists "$backup_image" ||
    { echo "image $backup_image not found: set BACKUP_IMAGE to a postgres:15 image" >&2; exit 2; }
db=llmchat_k8s_backup_$$
pg() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres "$@"; }
on_exit "pg -d postgres -c 'DROP DATABASE IF EXISTS ${db}' -c 'DROP DATABASE IF EXISTS ${db}_restored' >/dev/null 2>&1"
pg -d postgres -c "CREATE DATABASE $db" -c "CREATE DATABASE ${db}_restored"
pg -d "$db" -c "CREATE TABLE messages (id int PRIMARY KEY, body text)" \
    -c "INSERT INTO messages SELECT g, md5(g::text) FROM generate_series(1, 250) g"
backups=$OPS_WORK/backups
mkdir -p "$backups"
touch -d '40 days ago' "$backups/llmchat-20000101T000000Z.dump"
touch -d '3 days ago' "$backups/llmchat-20000102T000000Z.dump"
"$venv/bin/kubectl" kustomize k8s/overlays/staging >"$OPS_WORK/staging.yaml" || die "kubectl kustomize failed"
"$python" - "$OPS_WORK/staging.yaml" "$OPS_WORK/backup.yaml" "$backup_image" "$backups" \
    "postgres://postgres@127.0.0.1:5432/$db" <<'PY' >"$OPS_WORK/backup-facts"
import sys, yaml
src, dst, image, host_dir, url = sys.argv[1:]
cj = next(d for d in yaml.safe_load_all(open(src)) if d and d["kind"] == "CronJob")
template = cj["spec"]["jobTemplate"]["spec"]["template"]
spec = template["spec"]
spec["hostNetwork"] = True
c = spec["containers"][0]
c["image"], c["imagePullPolicy"] = image, "Never"
for e in c["env"]:
    if e["name"] == "DATABASE_URL":
        e.pop("valueFrom")
        e["value"] = url
for v in spec["volumes"]:
    if "persistentVolumeClaim" in v:
        del v["persistentVolumeClaim"]
        v["hostPath"] = {"path": host_dir, "type": "Directory"}
pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "llmchat-backup", **{k: template["metadata"][k] for k in ("labels",)}},
       "spec": spec}
yaml.safe_dump(pod, open(dst, "w"), sort_keys=False)
print(f"backup_uid={spec['securityContext']['runAsUser']}")
PY
backup_uid=''
# shellcheck source=/dev/null
source "$OPS_WORK/backup-facts"
chown "$backup_uid:$backup_uid" "$backups"
on_exit "podman kube down '$OPS_WORK/backup.yaml' >/dev/null 2>&1"
t0=$SECONDS
podman kube play --replace "$OPS_WORK/backup.yaml" >"$OPS_WORK/backup-play.log" 2>&1 ||
    { cat "$OPS_WORK/backup-play.log" >&2; die "podman kube play (backup) failed"; }
bctr=llmchat-backup-pg-dump
timeout 120 podman wait "$bctr" >/dev/null || die "the backup did not finish within 120 s"
bexit=$(podman inspect "$bctr" --format '{{.State.ExitCode}}')
podman logs "$bctr" >"$OPS_WORK/backup-run.log" 2>&1 || true
sed 's/^/    | /' "$OPS_WORK/backup-run.log"
[[ $bexit == 0 ]] || die "the backup job exited $bexit"
note "backup pod (uid $backup_uid, read-only root) finished in $((SECONDS - t0)) s"
mapfile -t dumps < <(find "$backups" -name 'llmchat-2*Z.dump' -newer "$OPS_WORK/backup.yaml")
[[ ${#dumps[@]} == 1 ]] || die "expected one new dump in $backups, found ${#dumps[@]}"
pg_restore --list "${dumps[0]}" | grep -q 'TABLE public messages' || die "the dump lacks the messages table"
# The operator's way back: restore.sh takes the CronJob's dump (no manifest) as well.
scripts/backup/restore.sh "${dumps[0]}" --database-url "postgres://postgres@127.0.0.1:5432/${db}_restored" \
    >"$OPS_WORK/restore.log" 2>&1 || { cat "$OPS_WORK/restore.log" >&2; die "restore.sh of the CronJob dump failed"; }
cp "${dumps[0]}" "$OPS_WORK/truncated.dump" && truncate -s 100 "$OPS_WORK/truncated.dump"
rc=0
scripts/backup/restore.sh "$OPS_WORK/truncated.dump" --database-url "postgres://postgres@127.0.0.1:5432/${db}_restored" \
    --force >"$OPS_WORK/restore-bad.log" 2>&1 || rc=$?
((rc == 3)) || { cat "$OPS_WORK/restore-bad.log" >&2; die "restore.sh of a truncated dump: exit $rc, expected 3"; }
rows=$(pg -d "${db}_restored" -At -c "SELECT count(*) FROM messages")
[[ $rows == 250 ]] || die "restored $rows rows, expected 250"
note "$(basename "${dumps[0]}") ($(stat -c %s "${dumps[0]}") bytes, custom format) restores 250/250 rows with restore.sh; a truncated copy is refused (exit 3)"
[[ ! -e $backups/llmchat-20000101T000000Z.dump ]] || die "retention kept a 40-day-old dump"
[[ -e $backups/llmchat-20000102T000000Z.dump ]] || die "retention deleted a 3-day-old dump"
note "retention (7 days in staging): the 40-day-old dump deleted, the 3-day-old one kept"

section "test-kube-play passed in $((SECONDS - started)) s"
