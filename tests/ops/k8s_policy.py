#!/usr/bin/env python3
"""Policy checks on rendered Kubernetes manifests (`kubectl kustomize k8s/overlays/ENV`).

    k8s_policy.py ENV RENDERED.yaml      check one overlay's output; exit 1 on the first failure
    k8s_policy.py --self-test RENDERED.yaml
                                         break a good production render once per check and
                                         expect that check to fail (a check that cannot
                                         fail is a defect)

Every check is a function `check_*(docs, env)` with plain asserts; CHECKS lists them and
MUTATIONS holds, for each, edits that must make it fail. Run from tests/ops/test-k8s.sh.
"""

import copy
import re
import sys

import yaml

APP = "llmchat-backend"
PORT = 3001
ENVIRONMENTS = ("development", "staging", "production")
# The guide's environment table (limits, log level, debug) and replicas as the HPA's range:
# the table's count is the minimum.
TABLE = {
    "development": dict(replicas=1, cpu="1", memory="1Gi", log="debug", debug="true", hpa=(1, 2)),
    "staging": dict(replicas=2, cpu="2", memory="2Gi", log="info", debug="false", hpa=(2, 4)),
    "production": dict(replicas=3, cpu="4", memory="4Gi", log="warn", debug="false", hpa=(3, 10)),
}
SECRET_KEYS = {"DATABASE_URL", "REDIS_URL", "JWT_SECRET", "METRICS_TOKEN", "LLMCHAT_ENCRYPTION_KEY"}
EXAMPLE_MARKER = "llmchat.io/example-only"
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"}


# --- helpers -------------------------------------------------------------------------------

def find(docs, kind, name=None):
    return [d for d in docs if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)]


def one(docs, kind, name):
    found = find(docs, kind, name)
    assert len(found) == 1, f"expected exactly one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_spec(doc):
    if doc["kind"] == "Pod":
        return doc["spec"]
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return doc["spec"]["template"]["spec"]


def pods(docs):
    """(workload name, pod spec) for every workload."""
    return [(f"{d['kind']}/{d['metadata']['name']}", pod_spec(d)) for d in docs if d.get("kind") in WORKLOADS]


def containers(docs):
    """(where, container, pod spec) for every container and initContainer of every workload."""
    out = []
    for where, spec in pods(docs):
        for field in ("initContainers", "containers"):
            for c in spec.get(field) or []:
                out.append((f"{where} {field[:-1]} {c['name']}", c, spec))
    return out


def app_container(docs):
    spec = pod_spec(one(docs, "Deployment", APP))
    return next(c for c in spec["containers"] if c["name"] == APP)


def cpu(q):
    q = str(q)
    return float(q[:-1]) / 1000 if q.endswith("m") else float(q)


def memory(q):
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9}
    m = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(q))
    assert m and (m[2] in units or m[2] == ""), f"cannot read memory quantity {q!r}"
    return float(m[1]) * units.get(m[2], 1)


def seconds(value):
    m = re.fullmatch(r"(\d+)(ms|s|m)", value)
    assert m, f"cannot read duration {value!r}"
    return int(m[1]) * {"ms": 0.001, "s": 1, "m": 60}[m[2]]


def config(docs):
    return one(docs, "ConfigMap", "llmchat-config")["data"]


def probe_target(c, probe):
    p = c.get(probe)
    assert p and "httpGet" in p, f"{APP}: {probe} missing or not an httpGet probe"
    port = p["httpGet"]["port"]
    if isinstance(port, str):
        port = next((x["containerPort"] for x in c.get("ports", []) if x.get("name") == port), port)
    return p["httpGet"].get("path"), port


# --- checks --------------------------------------------------------------------------------

def check_non_root(docs, env):
    for where, c, spec in containers(docs):
        sc, psc = c.get("securityContext") or {}, spec.get("securityContext") or {}
        assert sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True, f"{where}: runAsNonRoot is not true"
        uid = sc.get("runAsUser", psc.get("runAsUser"))
        assert isinstance(uid, int) and uid > 0, f"{where}: runAsUser must be set to a non-zero uid, is {uid!r}"


def check_read_only_root(docs, env):
    for where, c, _ in containers(docs):
        assert (c.get("securityContext") or {}).get("readOnlyRootFilesystem") is True, \
            f"{where}: readOnlyRootFilesystem is not true"


def check_capabilities(docs, env):
    for where, c, _ in containers(docs):
        sc = c.get("securityContext") or {}
        caps = sc.get("capabilities") or {}
        assert "ALL" in (caps.get("drop") or []), f"{where}: capabilities.drop lacks ALL"
        assert not caps.get("add"), f"{where}: adds capabilities {caps.get('add')}"
        assert sc.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation is not false"
        assert not sc.get("privileged"), f"{where}: privileged"


def check_pod_security(docs, env):
    labels = one(docs, "Namespace", "llmchat")["metadata"].get("labels") or {}
    assert labels.get("pod-security.kubernetes.io/enforce") == "restricted", \
        "namespace does not enforce the restricted Pod Security Standard"
    for where, spec in pods(docs):
        seccomp = (spec.get("securityContext") or {}).get("seccompProfile", {}).get("type")
        assert seccomp == "RuntimeDefault", f"{where}: pod seccompProfile is {seccomp!r}, not RuntimeDefault"
        assert spec.get("enableServiceLinks") is False, f"{where}: enableServiceLinks is not false"
        for flag in ("hostNetwork", "hostPID", "hostIPC"):
            assert not spec.get(flag), f"{where}: {flag}"


def check_service_account_token(docs, env):
    for where, spec in pods(docs):
        assert spec.get("automountServiceAccountToken") is False, f"{where}: automountServiceAccountToken is not false"
        name = spec.get("serviceAccountName")
        assert name, f"{where}: no serviceAccountName (the default account would be used)"
        sa = one(docs, "ServiceAccount", name)
        assert sa.get("automountServiceAccountToken") is False, f"ServiceAccount/{name}: automountServiceAccountToken is not false"


def check_resources(docs, env):
    for where, c, _ in containers(docs):
        res = c.get("resources") or {}
        for kind in ("requests", "limits"):
            for r in ("cpu", "memory"):
                assert (res.get(kind) or {}).get(r), f"{where}: resources.{kind}.{r} not set"
        assert cpu(res["requests"]["cpu"]) <= cpu(res["limits"]["cpu"]), f"{where}: cpu request above limit"
        assert memory(res["requests"]["memory"]) <= memory(res["limits"]["memory"]), f"{where}: memory request above limit"


def check_probes(docs, env):
    c = app_container(docs)
    assert probe_target(c, "livenessProbe") == ("/api/health/live", PORT), \
        f"livenessProbe is {probe_target(c, 'livenessProbe')}, expected /api/health/live on {PORT}"
    assert probe_target(c, "readinessProbe") == ("/api/health/ready", PORT), \
        f"readinessProbe is {probe_target(c, 'readinessProbe')}, expected /api/health/ready on {PORT}"
    assert probe_target(c, "startupProbe") == ("/api/health/live", PORT), \
        f"startupProbe is {probe_target(c, 'startupProbe')}, expected /api/health/live on {PORT}"
    sp = c["startupProbe"]
    budget = sp.get("failureThreshold", 3) * sp.get("periodSeconds", 10)
    assert budget >= 120, f"startupProbe allows only {budget}s for start-up and migrations (want >= 120s)"
    assert any(p.get("containerPort") == PORT for p in c.get("ports", [])), f"container does not declare port {PORT}"


def check_image_tags(docs, env):
    for where, c, _ in containers(docs):
        image = c["image"]
        if env == "development":
            continue
        name_tag = image.split("@")[0]
        tag = name_tag.rsplit(":", 1)[1] if ":" in name_tag.rsplit("/", 1)[-1] else None
        assert "@sha256:" in image or tag, f"{where}: image {image} has no tag ({env})"
        assert tag != "latest", f"{where}: image {image} uses latest ({env})"
    image = app_container(docs)["image"]
    if env != "development":
        assert "@sha256:" in image or re.search(r":v?\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?$", image), \
            f"{APP}: image {image} is not pinned to a version or digest ({env})"


def replicas(docs):
    """The replica count at rest: the HPA's minimum (the Deployment leaves the count to it)."""
    return one(docs, "HorizontalPodAutoscaler", "llmchat-hpa")["spec"]["minReplicas"]


def check_environment_table(docs, env):
    want = TABLE[env]
    dep = one(docs, "Deployment", APP)
    assert "replicas" not in dep["spec"], \
        f"Deployment sets replicas: {dep['spec']['replicas']} while the HPA owns the count (kubectl apply would reset it)"
    hpa = one(docs, "HorizontalPodAutoscaler", "llmchat-hpa")
    assert hpa["spec"]["scaleTargetRef"]["name"] == APP, "HPA does not target the Deployment"
    got = (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"])
    if env == "production":
        assert got[0] >= want["replicas"] and got[1] >= got[0], f"production HPA min/max {got}, want 3+"
    assert got == want["hpa"], f"{env} HPA min/max (replicas) {got}, want {want['hpa']}"
    limits = app_container(docs)["resources"]["limits"]
    assert cpu(limits["cpu"]) == cpu(want["cpu"]), f"{env} cpu limit {limits['cpu']}, want {want['cpu']}"
    assert memory(limits["memory"]) == memory(want["memory"]), f"{env} memory limit {limits['memory']}, want {want['memory']}"
    data = config(docs)
    assert data.get("LLMCHAT_ENV") == env and data.get("NODE_ENV") == env, \
        f"LLMCHAT_ENV/NODE_ENV are {data.get('LLMCHAT_ENV')}/{data.get('NODE_ENV')}, want {env}"
    assert data.get("LOG_LEVEL") == want["log"], f"{env} LOG_LEVEL {data.get('LOG_LEVEL')}, want {want['log']}"
    assert data.get("LLMCHAT_DEBUG") == want["debug"], f"{env} LLMCHAT_DEBUG {data.get('LLMCHAT_DEBUG')}, want {want['debug']}"


def check_termination_grace(docs, env):
    spec = pod_spec(one(docs, "Deployment", APP))
    grace = spec.get("terminationGracePeriodSeconds", 30)
    pre = app_container(docs).get("lifecycle", {}).get("preStop")
    assert pre, "no preStop hook: the pod would stop before endpoints are updated"
    pause = pre["sleep"]["seconds"] if "sleep" in pre else int(pre["exec"]["command"][-1])
    data = config(docs)
    needed = pause + seconds(data["LLMCHAT_SHUTDOWN_DRAIN"]) + seconds(data["LLMCHAT_SHUTDOWN_GRACE"])
    assert grace > max(35, needed), \
        f"terminationGracePeriodSeconds {grace} must exceed preStop + drain + grace ({needed}s) and 35s"


def check_rolling_update(docs, env):
    strategy = one(docs, "Deployment", APP)["spec"].get("strategy", {})
    assert strategy.get("type") == "RollingUpdate", f"strategy is {strategy.get('type')}"
    ru = strategy.get("rollingUpdate", {})
    assert ru.get("maxUnavailable") in (0, "0%"), f"maxUnavailable is {ru.get('maxUnavailable')!r}, want 0"
    assert ru.get("maxSurge") not in (None, 0, "0%"), "maxSurge must be at least 1 when maxUnavailable is 0"


def check_no_real_secrets(docs, env):
    for s in find(docs, "Secret"):
        meta = s["metadata"]
        assert (meta.get("annotations") or {}).get(EXAMPLE_MARKER) == "true", \
            f"Secret/{meta['name']} in the rendered output: secrets are created with kubectl, never committed"
        for k, v in (s.get("stringData") or {}).items():
            assert "CHANGE-ME" in v, f"example Secret key {k} holds something other than a CHANGE-ME placeholder"
        assert not s.get("data"), f"example Secret/{meta['name']} has base64 data"
    for cm in find(docs, "ConfigMap"):
        leaked = SECRET_KEYS & set(cm.get("data") or {})
        assert not leaked, f"ConfigMap/{cm['metadata']['name']} carries secrets {sorted(leaked)}"
    for where, c, _ in containers(docs):
        for e in c.get("env") or []:
            secretish = e["name"] in SECRET_KEYS or re.search(r"PASSWORD|TOKEN|SECRET|_KEY$", e["name"])
            assert not (secretish and "value" in e), f"{where}: {e['name']} has a literal value"


def check_pdb(docs, env):
    dep = one(docs, "Deployment", APP)
    labels = dep["spec"]["template"]["metadata"]["labels"]
    pdbs = [p for p in find(docs, "PodDisruptionBudget")
            if p["spec"]["selector"]["matchLabels"].items() <= labels.items()]
    assert len(pdbs) == 1, f"expected one PodDisruptionBudget selecting the {APP} pods, found {len(pdbs)}"
    spec, count = pdbs[0]["spec"], replicas(docs)
    if "minAvailable" in spec:
        assert isinstance(spec["minAvailable"], int) and spec["minAvailable"] < count, \
            f"PDB minAvailable {spec['minAvailable']} must be below replicas {count} (or drains block)"
    else:
        assert isinstance(spec.get("maxUnavailable"), int) and spec["maxUnavailable"] >= 1, \
            f"PDB maxUnavailable {spec.get('maxUnavailable')!r} must be at least 1 (or drains block)"
        assert count == 1 or spec["maxUnavailable"] < count, "PDB allows every replica to go at once"


def check_ingress(docs, env):
    main = one(docs, "Ingress", "llmchat-ingress")
    ann = main["metadata"].get("annotations") or {}
    want = {"nginx.ingress.kubernetes.io/proxy-body-size": "10m",
            "nginx.ingress.kubernetes.io/proxy-buffering": "off",
            "nginx.ingress.kubernetes.io/proxy-request-buffering": "off"}
    for k, v in want.items():
        assert ann.get(k) == v, f"Ingress annotation {k} is {ann.get(k)!r}, want {v!r}"
    for k in ("proxy-read-timeout", "proxy-send-timeout"):
        value = int(ann.get(f"nginx.ingress.kubernetes.io/{k}", 60))
        assert value >= 300, f"Ingress {k} {value}s is too short for streamed answers"
    assert "cert-manager.io/cluster-issuer" in ann, "Ingress has no cert-manager issuer"
    for ing in find(docs, "Ingress"):
        tls_hosts = {h for t in ing["spec"].get("tls") or [] for h in t.get("hosts", [])}
        for rule in ing["spec"]["rules"]:
            assert rule["host"] in tls_hosts, f"Ingress/{ing['metadata']['name']}: host {rule['host']} not covered by TLS"
    # /metrics: only reachable through an Ingress that admits nobody but loopback.
    for ing in find(docs, "Ingress"):
        allow = (ing["metadata"].get("annotations") or {}).get("nginx.ingress.kubernetes.io/whitelist-source-range")
        for rule in ing["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                exposes = p["path"] == "/metrics" or p["path"].startswith("/metrics/")
                assert not exposes or allow == "127.0.0.1/32", \
                    f"Ingress/{ing['metadata']['name']} exposes {p['path']} publicly"
    public_prefixes = [p["path"] for r in main["spec"]["rules"] for p in r["http"]["paths"]]
    if "/" in public_prefixes:
        blocked = [p for ing in find(docs, "Ingress") if ing is not main
                   for r in ing["spec"]["rules"] for p in r["http"]["paths"] if p["path"] == "/metrics"]
        assert blocked, "the public Ingress serves / and no Ingress blocks /metrics"


def check_network_policy(docs, env):
    labels = one(docs, "Deployment", APP)["spec"]["template"]["metadata"]["labels"]
    nps = [n for n in find(docs, "NetworkPolicy") if n["spec"]["podSelector"]["matchLabels"].items() <= labels.items()]
    assert len(nps) == 1, f"expected one NetworkPolicy for the {APP} pods, found {len(nps)}"
    spec = nps[0]["spec"]
    assert set(spec["policyTypes"]) == {"Ingress", "Egress"}, "NetworkPolicy must restrict both directions"
    for rule in spec["ingress"]:
        assert rule.get("from"), "an ingress rule admits every source"
        assert [p["port"] for p in rule["ports"]] == [PORT], f"ingress allowed on ports {rule['ports']}"
    egress_ports = {p["port"] for rule in spec["egress"] for p in rule.get("ports", [])}
    assert all(rule.get("ports") for rule in spec["egress"]), "an egress rule allows every port"
    for port in (53, 5432, 6379, 443):
        assert port in egress_ports, f"egress to port {port} is not allowed"


def check_service(docs, env):
    svc = one(docs, "Service", "llmchat-backend-service")
    labels = one(docs, "Deployment", APP)["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= labels.items(), "Service selector does not match the pods"
    ports = [(p["port"], p["targetPort"]) for p in svc["spec"]["ports"]]
    assert (80, PORT) in ports or (80, "http") in ports, f"Service ports {ports}, want 80 -> {PORT}"


def check_prometheus(docs, env):
    ann = one(docs, "Deployment", APP)["spec"]["template"]["metadata"].get("annotations") or {}
    want = {"prometheus.io/scrape": "true", "prometheus.io/path": "/metrics", "prometheus.io/port": str(PORT)}
    for k, v in want.items():
        assert ann.get(k) == v, f"pod annotation {k} is {ann.get(k)!r}, want {v!r}"
    for sm in find(docs, "ServiceMonitor"):
        svc = one(docs, "Service", "llmchat-backend-service")
        assert sm["spec"]["selector"]["matchLabels"].items() <= svc["metadata"]["labels"].items(), \
            "ServiceMonitor selector does not match the Service"
        names = {p.get("name") for p in svc["spec"]["ports"]}
        for ep in sm["spec"]["endpoints"]:
            assert ep["port"] in names, f"ServiceMonitor port {ep['port']} is not a Service port name"
            assert ep.get("path") == "/metrics", "ServiceMonitor path is not /metrics"
            cred = ep.get("authorization", {}).get("credentials", {})
            assert cred.get("key") == "METRICS_TOKEN", "ServiceMonitor does not send METRICS_TOKEN"


def check_backup(docs, env):
    cj = one(docs, "CronJob", "llmchat-backup")
    c = pod_spec(cj)["containers"][0]
    script = " ".join(c.get("command", []) + c.get("args", []))
    assert "pg_dump" in script and "--format=custom" in script, "backup does not run pg_dump --format=custom"
    assert "-delete" in script and any(e["name"] == "BACKUP_RETENTION_DAYS" for e in c.get("env", [])), \
        "backup has no retention"
    refs = [e["valueFrom"]["secretKeyRef"] for e in c.get("env", []) if "valueFrom" in e]
    assert {"name": "llmchat-secrets", "key": "DATABASE_URL"} in refs, "backup does not read DATABASE_URL from the Secret"
    assert cj["spec"].get("concurrencyPolicy") == "Forbid", "backups may overlap"
    claims = [v["persistentVolumeClaim"]["claimName"] for v in pod_spec(cj)["volumes"] if "persistentVolumeClaim" in v]
    for claim in claims:
        one(docs, "PersistentVolumeClaim", claim)
    assert claims, "backups are not written to a PersistentVolumeClaim"
    assert cj["spec"].get("suspend", False) == (env == "development"), \
        f"backups must be automatic in {env}" if env != "development" else "development backups are manual (suspend)"


CHECKS = [check_non_root, check_read_only_root, check_capabilities, check_pod_security,
          check_service_account_token, check_resources, check_probes, check_image_tags,
          check_environment_table, check_termination_grace, check_rolling_update,
          check_no_real_secrets, check_pdb, check_ingress, check_network_policy, check_service,
          check_prometheus, check_backup]


def run(docs, env):
    for check in CHECKS:
        check(docs, env)
        print(f"    ok  {check.__name__}")


# --- self-test: every check must be able to fail ---------------------------------------------

def _dep(docs):
    return one(docs, "Deployment", APP)


def _app(docs):
    return app_container(docs)


def _ann(docs, name="llmchat-ingress"):
    return one(docs, "Ingress", name)["metadata"]["annotations"]


def _cfg(docs):
    return config(docs)


def _backup(docs):
    return pod_spec(one(docs, "CronJob", "llmchat-backup"))["containers"][0]


# check name -> {what is broken: edit of a good production render}
MUTATIONS = {
    "check_non_root": {
        "container runs as uid 0": lambda d: _app(d)["securityContext"].update(runAsUser=0),
        "initContainer without a uid": lambda d: (
            pod_spec(_dep(d))["securityContext"].pop("runAsUser"),
            pod_spec(_dep(d)).setdefault("initContainers", []).append(
                {"name": "init", "image": "llmchat:1.0.0", "securityContext": {"runAsNonRoot": True}})),
    },
    "check_read_only_root": {
        "writable root": lambda d: _backup(d)["securityContext"].update(readOnlyRootFilesystem=False)},
    "check_capabilities": {
        "no drop ALL": lambda d: _app(d)["securityContext"]["capabilities"].update(drop=["NET_RAW"]),
        "escalation": lambda d: _app(d)["securityContext"].update(allowPrivilegeEscalation=True)},
    "check_pod_security": {
        "service links": lambda d: pod_spec(_dep(d)).update(enableServiceLinks=True),
        "no seccomp": lambda d: pod_spec(_dep(d))["securityContext"].pop("seccompProfile"),
        "namespace baseline": lambda d: one(d, "Namespace", "llmchat")["metadata"]["labels"].update(
            {"pod-security.kubernetes.io/enforce": "baseline"})},
    "check_service_account_token": {
        "token mounted": lambda d: pod_spec(_dep(d)).update(automountServiceAccountToken=True),
        "account mounts": lambda d: one(d, "ServiceAccount", "llmchat").update(automountServiceAccountToken=True)},
    "check_resources": {
        "no memory limit": lambda d: _app(d)["resources"]["limits"].pop("memory"),
        "backup without requests": lambda d: _backup(d)["resources"].pop("requests")},
    "check_probes": {
        "readiness on /api/health": lambda d: _app(d)["readinessProbe"]["httpGet"].update(path="/api/health"),
        "liveness on 8080": lambda d: _app(d)["livenessProbe"]["httpGet"].update(port=8080),
        "no startupProbe": lambda d: _app(d).pop("startupProbe")},
    "check_image_tags": {
        "latest": lambda d: _app(d).update(image="llmchat:latest"),
        "untagged backup image": lambda d: _backup(d).update(image="postgres"),
        "moving tag": lambda d: _app(d).update(image="registry.example.com:5000/llmchat:production")},
    "check_environment_table": {
        "HPA minimum 2": lambda d: one(d, "HorizontalPodAutoscaler", "llmchat-hpa")["spec"].update(minReplicas=2),
        "Deployment replicas": lambda d: _dep(d)["spec"].update(replicas=3),
        "debug logs": lambda d: _cfg(d).update(LOG_LEVEL="debug"),
        "2 CPU limit": lambda d: _app(d)["resources"]["limits"].update(cpu="2")},
    "check_termination_grace": {
        "30 s grace": lambda d: pod_spec(_dep(d)).update(terminationGracePeriodSeconds=30),
        "longer drain": lambda d: _cfg(d).update(LLMCHAT_SHUTDOWN_GRACE="60s")},
    "check_rolling_update": {
        "maxUnavailable 1": lambda d: _dep(d)["spec"]["strategy"]["rollingUpdate"].update(maxUnavailable=1)},
    "check_no_real_secrets": {
        "real Secret": lambda d: d.append({"apiVersion": "v1", "kind": "Secret",
                                           "metadata": {"name": "llmchat-secrets"},
                                           "stringData": {"JWT_SECRET": "s3cr3t-value-of-32-bytes......"}}),
        "secret in ConfigMap": lambda d: _cfg(d).update(JWT_SECRET="s3cr3t")},
    "check_pdb": {
        "minAvailable = replicas": lambda d: one(d, "PodDisruptionBudget", APP).update(
            spec={"minAvailable": 3, "selector": {"matchLabels": {"app": APP}}}),
        "no PDB": lambda d: d.remove(one(d, "PodDisruptionBudget", APP))},
    "check_ingress": {
        "buffering on": lambda d: _ann(d).update({"nginx.ingress.kubernetes.io/proxy-buffering": "on"}),
        "1m bodies": lambda d: _ann(d).update({"nginx.ingress.kubernetes.io/proxy-body-size": "1m"}),
        "no TLS": lambda d: one(d, "Ingress", "llmchat-ingress")["spec"].pop("tls"),
        "/metrics public": lambda d: d.remove(one(d, "Ingress", "llmchat-ingress-internal"))},
    "check_network_policy": {
        "no Redis egress": lambda d: one(d, "NetworkPolicy", APP)["spec"]["egress"][1]["ports"].pop(),
        "open ingress": lambda d: one(d, "NetworkPolicy", APP)["spec"]["ingress"][0].pop("from")},
    "check_service": {
        "port 3000": lambda d: one(d, "Service", "llmchat-backend-service")["spec"]["ports"][0].update(targetPort=3000)},
    "check_prometheus": {
        "wrong scrape port": lambda d: _dep(d)["spec"]["template"]["metadata"]["annotations"].update(
            {"prometheus.io/port": "80"})},
    "check_backup": {
        "plain SQL dump": lambda d: _backup(d).update(command=["pg_dump", "-f", "/backups/x.sql"]),
        "suspended": lambda d: one(d, "CronJob", "llmchat-backup")["spec"].update(suspend=True)},
}


def self_test(docs):
    run(docs, "production")  # the good render passes
    assert {c.__name__ for c in CHECKS} == set(MUTATIONS), \
        f"checks without a self-test mutation: {sorted({c.__name__ for c in CHECKS} - set(MUTATIONS))}"
    for check in CHECKS:
        for what, mutate in MUTATIONS[check.__name__].items():
            broken = copy.deepcopy(docs)
            mutate(broken)
            try:
                check(broken, "production")
            except AssertionError as e:
                print(f"    ok  {check.__name__} fails on '{what}': {e}")
                continue
            raise AssertionError(f"{check.__name__} did not fail on a broken manifest ({what})")


def main(argv):
    if len(argv) != 3 or (argv[1] not in ENVIRONMENTS and argv[1] != "--self-test"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    try:
        self_test(docs) if argv[1] == "--self-test" else run(docs, argv[1])
    except AssertionError as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
