"""HTTP side of tests/ops/test-monitoring.sh (standard library only).

    monitoring_live.py receiver PORT FILE
        A webhook receiver for Alertmanager: appends each POSTed body as one JSON line to FILE.
    monitoring_live.py password
        Prints the password setup signs in with (give it to `llmchat user create monitor`).
    monitoring_live.py setup BASE STATE
        Signs in as monitor, creates an API key; writes {"token", "key"} to STATE.
    monitoring_live.py traffic BASE STATE
        One round of traffic: agents list, a chat with the demo agent (SSE, read to the end),
        /v1/models, /v1/chat/completions on demo and on the mock (streamed and not), one call to
        the failing agent, an unmatched path. Fails if an answer that should work did not.
    monitoring_live.py wait-up PROM JOB SECONDS
        Until Prometheus reports the job's target up; prints its scrape URL and last error.
    monitoring_live.py target-error PROM JOB SECONDS
        Until the job's target has been scraped; prints its health and last error.
    monitoring_live.py exprs-have-data PROM EXPRS_FILE
        Runs every query of EXPRS_FILE (monitoring_dashboard.py exprs); fails listing those
        whose result is empty or only NaN.
    monitoring_live.py wait-alert PROM ALERT SECONDS BASE STATE
        Calls the failing agent (2 calls a second) until ALERT is firing in Prometheus.
    monitoring_live.py rules-healthy PROM EXPECTED
        Every rule evaluates without error on the real metrics, and the alerts firing are
        exactly the comma-separated EXPECTED ones (the others stay quiet on a healthy server).
    monitoring_live.py wait-webhook FILE ALERT RECEIVER SECONDS
        Until Alertmanager has posted ALERT (firing) to the webhook path /RECEIVER.
"""

import http.server
import json
import math
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "monitoring passphrase 42"


def call(method, url, body=None, token=None, timeout=30, stream=False):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def expect(status, body, wanted, what):
    if status not in wanted:
        fail(f"{what}: HTTP {status} {body[:300]!r}")
    return json.loads(body) if body else None


def receiver(port, path):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with open(path, "a", encoding="utf-8") as f:
                f.write(json.dumps({"path": self.path, "body": json.loads(body or b"null")}) + "\n")
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()


def password():
    print(PASSWORD)


def setup(base, state):
    user = {"username": "monitor", "password": PASSWORD}
    status, body = call("POST", f"{base}/api/auth/login", user)
    token = expect(status, body, (200,), "sign in")["access_token"]
    status, body = call("POST", f"{base}/api/keys", {"name": "monitoring"}, token)
    key = expect(status, body, (201,), "create an API key")["key"]
    with open(state, "w", encoding="utf-8") as f:
        json.dump({"token": token, "key": key}, f)


def chat_demo(base, token):
    status, body = call("POST", f"{base}/api/conversations", {"agent_id": "demo"}, token)
    conversation = expect(status, body, (201,), "start a conversation with demo")["id"]
    request = urllib.request.Request(
        f"{base}/api/conversations/{conversation}/messages",
        data=json.dumps({"content": "Hello! What can you do?"}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    event, done = None, None
    with urllib.request.urlopen(request, timeout=30) as response:
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "done":
                done = json.loads(line[5:])
                break
    if not done or done.get("status") != "complete":
        fail(f"the demo chat did not complete: {done}")
    status, body = call("GET", f"{base}/api/conversations/{conversation}/messages", token=token)
    expect(status, body, (200,), "read the conversation")


def completion(base, key, model, stream):
    body = {"model": model, "stream": stream, "messages": [{"role": "user", "content": "Hi"}]}
    return call("POST", f"{base}/v1/chat/completions", body, key)


def traffic(base, state):
    with open(state, encoding="utf-8") as f:
        creds = json.load(f)
    token, key = creds["token"], creds["key"]
    expect(*call("GET", f"{base}/api/agents", token=token), (200,), "list agents")
    chat_demo(base, token)
    expect(*call("GET", f"{base}/v1/models", token=key), (200,), "/v1/models")
    for model in ("demo", "mock"):
        for stream in (False, True):
            status, body = completion(base, key, model, stream)
            if status != 200:
                fail(f"/v1/chat/completions model={model} stream={stream}: HTTP {status} {body[:300]!r}")
    status, body = completion(base, key, "failing", False)
    if status < 500:
        fail(f"the failing agent answered HTTP {status}, expected a 5xx: {body[:300]!r}")
    status, _ = call("GET", f"{base}/api/no/such/path")
    if status != 404:
        fail(f"an unknown path answered {status}, expected 404")


def prom_query(prom, query):
    url = f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": query})
    status, body = call("GET", url, timeout=10)
    doc = json.loads(body)
    if status != 200 or doc.get("status") != "success":
        fail(f"Prometheus rejected {query!r}: {doc.get('error', body[:300])}")
    return doc["data"]["result"]


def job_target(prom, job):
    status, body = call("GET", f"{prom}/api/v1/targets?state=active", timeout=10)
    for target in json.loads(body)["data"]["activeTargets"]:
        if target["labels"].get("job") == job:
            return target
    return None


def wait_up(prom, job, seconds):
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        target = job_target(prom, job)
        if target and target["health"] == "up":
            print(f"target {target['scrapeUrl']}: health up, last scrape {target['lastScrape']}")
            return
        time.sleep(0.5)
    fail(f"job {job} is not up after {seconds} s: {target}")


def target_error(prom, job, seconds):
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        target = job_target(prom, job)
        if target and target["health"] != "unknown":
            print(f"target {target['scrapeUrl']}: health {target['health']}, lastError {target['lastError']!r}")
            return
        time.sleep(0.5)
    fail(f"job {job} was not scraped within {seconds} s")


def exprs_have_data(prom, path):
    with open(path, encoding="utf-8") as f:
        items = [json.loads(line) for line in f if line.strip()]
    empty = []
    for item in items:
        result = prom_query(prom, item["expr"])
        values = [float(r["value"][1]) for r in result]
        real = [v for v in values if not math.isnan(v)]
        label = f"{item['panel']} [{item['ref']}]"
        if not real:
            empty.append(f"{label}: {len(result)} series, none with a number: {item['expr']}")
        else:
            print(f"    ok  {label}: {len(real)} series")
    if empty:
        fail("dashboard queries without data:\n  " + "\n  ".join(empty))
    print(f"all {len(items)} dashboard queries return data")


def wait_alert(prom, alert, seconds, base, state):
    with open(state, encoding="utf-8") as f:
        key = json.load(f)["key"]
    deadline = time.monotonic() + float(seconds)
    started, calls, seen = time.monotonic(), 0, "inactive"
    while time.monotonic() < deadline:
        for _ in range(2):
            completion(base, key, "failing", False)
            calls += 1
        status, body = call("GET", f"{prom}/api/v1/alerts", timeout=10)
        for item in json.loads(body)["data"]["alerts"]:
            if item["labels"].get("alertname") == alert:
                if item["state"] != seen:
                    seen = item["state"]
                    print(f"    {alert} {item['labels']} is {seen} after {time.monotonic() - started:.1f} s")
                if seen == "firing":
                    print(f"{alert} fired after {calls} calls to the failing agent, value {item['value']}")
                    return
        time.sleep(0.5)
    fail(f"{alert} did not fire within {seconds} s (last state {seen})")


def rules_healthy(prom, expected):
    status, body = call("GET", f"{prom}/api/v1/rules", timeout=10)
    rules = [r for g in json.loads(body)["data"]["groups"] for r in g["rules"]]
    broken = [f"{r['name']}: {r.get('lastError')}" for r in rules if r.get("health") != "ok"]
    if broken:
        fail("rules failing to evaluate:\n  " + "\n  ".join(broken))
    firing = sorted({r["name"] for r in rules if r.get("state") == "firing"})
    wanted = sorted(expected.split(","))
    if firing != wanted:
        fail(f"firing alerts are {firing}, expected {wanted}")
    print(f"{len(rules)} rules evaluate without error; firing: {', '.join(firing)}; "
          f"the other {len(rules) - len(firing)} quiet")


def wait_webhook(path, alert, receiver_path, seconds):
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        try:
            with open(path, encoding="utf-8") as f:
                posts = [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            posts = []
        for post in posts:
            body = post["body"]
            for item in body.get("alerts", []):
                if item["labels"].get("alertname") == alert and item["status"] == "firing":
                    if post["path"] != f"/{receiver_path}":
                        fail(f"{alert} was posted to {post['path']}, expected /{receiver_path}")
                    print(f"Alertmanager posted {alert} {item['labels']} to receiver "
                          f"{body.get('receiver')} ({post['path']})")
                    return
        time.sleep(0.5)
    fail(f"Alertmanager did not post {alert} to /{receiver_path} within {seconds} s")


COMMANDS = {
    "receiver": (receiver, 2),
    "password": (password, 0),
    "setup": (setup, 2),
    "traffic": (traffic, 2),
    "wait-up": (wait_up, 3),
    "target-error": (target_error, 3),
    "exprs-have-data": (exprs_have_data, 2),
    "wait-alert": (wait_alert, 5),
    "rules-healthy": (rules_healthy, 2),
    "wait-webhook": (wait_webhook, 4),
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS or len(sys.argv) - 2 != COMMANDS[sys.argv[1]][1]:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]][0](*sys.argv[2:])
