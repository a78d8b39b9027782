#!/usr/bin/env python3
"""Checks that config/deployment.yml says what the manifests and the Dockerfile do.

deploy.sh and health-check.sh read config/deployment.yml, and people read it as the summary
of each environment; it must not drift from k8s/ (rendered overlays) and the Dockerfile.
Compared, per environment: the replica count or HPA range, requests and limits, the
termination grace period, the probes (path, period, failure threshold), the backup schedule
and retention of the CronJob, and the LLMCHAT_ENV of the ConfigMap; and the Dockerfile's
HEALTHCHECK against `container_healthcheck`.

Usage: deployment_config.py DEPLOYMENT_YML DOCKERFILE RENDER_DIR
  RENDER_DIR holds development.yaml, staging.yaml and production.yaml (kubectl kustomize).
Prints one line per environment; exits 1 listing every difference.
"""

import re
import sys
from pathlib import Path

import yaml

problems = []


def check(what, got, want):
    if str(got) != str(want):
        problems.append(f"{what}: config/deployment.yml says {want!r}, the manifest has {got!r}")


def find(docs, kind, name=None):
    for d in docs:
        if d and d["kind"] == kind and (name is None or d["metadata"]["name"] == name):
            return d
    return None


def merged(defaults, env):
    """The environment block over the defaults (one level deep, as deploy.sh reads them)."""
    out = dict(defaults)
    for k, v in env.items():
        out[k] = {**out[k], **v} if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def main():
    config_path, dockerfile, render_dir = sys.argv[1:4]
    config = yaml.safe_load(open(config_path))
    defaults = config["defaults"]
    for name, block in config["environments"].items():
        env = merged(defaults, block)
        docs = list(yaml.safe_load_all(open(Path(render_dir) / f"{name}.yaml")))
        k8s = defaults["kubernetes"]
        dep = find(docs, "Deployment", k8s["deployment"])
        if dep is None:
            problems.append(f"{name}: no Deployment {k8s['deployment']}")
            continue
        pod = dep["spec"]["template"]["spec"]
        c = next(c for c in pod["containers"] if c["name"] == k8s["container"])
        cm = find(docs, "ConfigMap", k8s["configmap"])["data"]
        check(f"{name}: LLMCHAT_ENV", cm.get("LLMCHAT_ENV"), env["llmchat_env"])
        for kind in ("requests", "limits"):
            for res in ("cpu", "memory"):
                check(f"{name}: resources.{kind}.{res}", c["resources"][kind][res], env["resources"][kind][res])
        check(f"{name}: terminationGracePeriodSeconds", pod["terminationGracePeriodSeconds"],
              k8s["termination_grace_period_seconds"])
        probes = defaults["health"]["probes"]
        for probe, key in (("startup", "startupProbe"), ("liveness", "livenessProbe"), ("readiness", "readinessProbe")):
            want, got = probes[probe], c[key]
            check(f"{name}: {key} path", got["httpGet"]["path"], want["path"])
            check(f"{name}: {key} periodSeconds", got["periodSeconds"], want["period_seconds"])
            if "failure_threshold" in want:
                check(f"{name}: {key} failureThreshold", got["failureThreshold"], want["failure_threshold"])
        hpa = find(docs, "HorizontalPodAutoscaler")
        auto = env.get("autoscaling", {})
        if auto.get("enabled"):
            if hpa is None:
                problems.append(f"{name}: autoscaling is enabled but the overlay has no HPA")
            else:
                check(f"{name}: HPA minReplicas", hpa["spec"]["minReplicas"], auto["min_replicas"])
                check(f"{name}: HPA maxReplicas", hpa["spec"]["maxReplicas"], auto["max_replicas"])
                check(f"{name}: replicas (the HPA's minimum)", auto["min_replicas"], env["replicas"])
        elif hpa is None:
            check(f"{name}: Deployment replicas", dep["spec"].get("replicas", 1), env["replicas"])
        cron = find(docs, "CronJob")
        backup = env["backup"]
        if backup["policy"] == "manual":
            if cron is not None and not cron["spec"].get("suspend", False):
                problems.append(f"{name}: backups are manual but the CronJob is not suspended")
        else:
            if cron is None or cron["spec"].get("suspend", False):
                problems.append(f"{name}: backups are {backup['policy']} but no active CronJob")
            else:
                check(f"{name}: CronJob schedule", cron["spec"]["schedule"], backup["schedule"])
                job = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
                days = next((e["value"] for e in job.get("env", []) if e["name"] == "BACKUP_RETENTION_DAYS"), None)
                check(f"{name}: BACKUP_RETENTION_DAYS", days, backup["retention_days"])
        print(f"    {name}: env {env['llmchat_env']}, resources, grace, probes, "
              f"{'HPA ' + str(auto['min_replicas']) + '-' + str(auto['max_replicas']) if auto.get('enabled') else 'replicas ' + str(env['replicas'])}, "
              f"backup {backup['policy']}")

    text = Path(dockerfile).read_text()
    m = re.search(r"^HEALTHCHECK\s+(.*?)\\\n\s*CMD\s+(\[.*\])", text, re.M)
    if not m:
        problems.append("the Dockerfile has no HEALTHCHECK ... CMD [...]")
    else:
        flags = dict(re.findall(r"--([a-z-]+)=(\S+)", m.group(1)))
        want = defaults["health"]["container_healthcheck"]
        for flag, key in (("interval", "interval"), ("timeout", "timeout"),
                          ("start-period", "start_period"), ("retries", "retries")):
            if str(flags.get(flag)) != str(want[key]):
                problems.append(f"Dockerfile HEALTHCHECK --{flag}={flags.get(flag)}, config/deployment.yml says {want[key]}")
        if yaml.safe_load(m.group(2)) != want["command"]:
            problems.append(f"Dockerfile HEALTHCHECK CMD {m.group(2)}, config/deployment.yml says {want['command']}")
        print(f"    Dockerfile HEALTHCHECK {m.group(1).strip()} CMD {m.group(2)}")

    if problems:
        print("config/deployment.yml disagrees with the manifests:", *problems, sep="\n  ", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
