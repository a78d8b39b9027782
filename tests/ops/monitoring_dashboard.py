"""Checks the Grafana dashboard against the provisioned datasource and prints its queries.

    python monitoring_dashboard.py check DASHBOARD.json DATASOURCES.yml
        Structural checks (Grafana itself is not installed here): every panel and every
        target uses the provisioned Prometheus datasource by uid, every target has an expr,
        panel ids and refIds are unique, panels fit the 24-column grid without overlapping,
        the template variables and annotations use the same datasource. Exit 1 with the list
        of problems, else prints a summary.

    python monitoring_dashboard.py exprs DASHBOARD.json RATE_INTERVAL
        One JSON object a line, {"panel", "ref", "expr"}, for every target (and annotation),
        with Grafana's variables replaced so that Prometheus can run them: $instance -> .*,
        $__rate_interval -> RATE_INTERVAL.
"""

import json
import sys

import yaml


def datasource_uid(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    sources = [d for d in doc.get("datasources", []) if d.get("type") == "prometheus"]
    if len(sources) != 1 or not sources[0].get("uid"):
        sys.exit(f"{path}: expected exactly one prometheus datasource with a uid")
    return sources[0]["uid"]


def panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def check(dashboard, uid):
    problems = []
    for key in ("uid", "title", "panels", "schemaVersion"):
        if key not in dashboard:
            problems.append(f"dashboard has no {key}")
    ids, cells, count = set(), {}, 0
    for panel in panels(dashboard):
        name = f"panel {panel.get('id')} ({panel.get('title')!r})"
        if panel.get("id") in ids:
            problems.append(f"{name}: duplicate id")
        ids.add(panel.get("id"))
        grid = panel.get("gridPos", {})
        x, y, w, h = (grid.get(k) for k in ("x", "y", "w", "h"))
        if None in (x, y, w, h) or x < 0 or w < 1 or x + w > 24 or h < 1:
            problems.append(f"{name}: gridPos {grid} is outside the 24-column grid")
        else:
            for cx in range(x, x + w):
                for cy in range(y, y + h):
                    if (cx, cy) in cells:
                        problems.append(f"{name}: overlaps {cells[(cx, cy)]}")
                        break
                    cells[(cx, cy)] = name
                else:
                    continue
                break
        if panel.get("type") == "row":
            continue
        count += 1
        if (panel.get("datasource") or {}).get("uid") != uid:
            problems.append(f"{name}: datasource is not uid {uid}")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{name}: no targets")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs):
            problems.append(f"{name}: duplicate refId")
        for target in targets:
            if not (target.get("expr") or "").strip():
                problems.append(f"{name} {target.get('refId')}: no expr")
            if (target.get("datasource") or {}).get("uid") != uid:
                problems.append(f"{name} {target.get('refId')}: datasource is not uid {uid}")
    for var in dashboard.get("templating", {}).get("list", []):
        if var.get("type") == "query" and (var.get("datasource") or {}).get("uid") != uid:
            problems.append(f"variable {var.get('name')}: datasource is not uid {uid}")
    for ann in dashboard.get("annotations", {}).get("list", []):
        if (ann.get("datasource") or {}).get("uid") != uid:
            problems.append(f"annotation {ann.get('name')}: datasource is not uid {uid}")
    return problems, count


def exprs(dashboard, rate_interval):
    def concrete(expr):
        return expr.replace("$__rate_interval", rate_interval).replace("$instance", ".*")

    for panel in panels(dashboard):
        for target in panel.get("targets") or []:
            yield {"panel": panel["title"], "ref": target["refId"], "expr": concrete(target["expr"])}
    for ann in dashboard.get("annotations", {}).get("list", []):
        if ann.get("expr"):
            yield {"panel": f"annotation {ann['name']}", "ref": "-", "expr": concrete(ann["expr"])}


def main(argv):
    if len(argv) != 4 or argv[1] not in ("check", "exprs"):
        sys.exit(__doc__)
    with open(argv[2], encoding="utf-8") as f:
        dashboard = json.load(f)
    if argv[1] == "check":
        uid = datasource_uid(argv[3])
        problems, count = check(dashboard, uid)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            sys.exit(1)
        print(f"{count} panels, all on datasource {uid}, every target with an expr")
    else:
        for item in exprs(dashboard, argv[3]):
            print(json.dumps(item))


if __name__ == "__main__":
    main(sys.argv)
