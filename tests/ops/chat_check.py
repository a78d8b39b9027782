#!/usr/bin/env python3
"""Signs in to a running LLMChat and has one exchange with the built-in demo agent.

Usage: chat_check.py BASE_URL USERNAME PASSWORD
Prints the conversation id and the answer's length; exits 1 (with the reason) when signing in,
starting the conversation or the streamed answer fails. Used by the image and compose tests
to show that a container really serves a chat, not only its health endpoint.
"""

import json
import sys
import urllib.error
import urllib.request


def call(base, method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main():
    base, username, password = sys.argv[1:4]
    status, body = call(base, "POST", "/api/auth/login", {"username": username, "password": password})
    if status != 200:
        sys.exit(f"sign-in as {username}: {status} {body[:200]!r}")
    token = json.loads(body)["access_token"]
    status, body = call(base, "POST", "/api/conversations", {"agent_id": "demo"}, token)
    if status != 201:
        sys.exit(f"new conversation with the demo agent: {status} {body[:200]!r}")
    conversation = json.loads(body)["id"]
    request = urllib.request.Request(
        f"{base}/api/conversations/{conversation}/messages", method="POST",
        data=json.dumps({"content": "Hello from the container test"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    answer, done, event = [], None, None
    with urllib.request.urlopen(request, timeout=60) as response:
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "delta":
                answer.append(json.loads(line[5:])["text"])
            elif line.startswith("data:") and event == "done":
                done = json.loads(line[5:])
                break
    if not done or done.get("status") != "complete" or not "".join(answer).strip():
        sys.exit(f"the demo agent's answer did not complete: {done}")
    print(f"conversation {conversation}: {len(''.join(answer))} characters from the demo agent")


if __name__ == "__main__":
    main()
