"""The OpenAPI contract check: schemathesis generates requests from /api/openapi.json and
checks every response against the document (status codes, content types, headers, bodies),
that schema-valid requests are accepted and schema-invalid ones rejected, and that no request
is a server error. It runs twice against the real llmchat (SQLite) with llmchat-mock behind
its agents: signed in as a user, then as an administrator. Exits non-zero on any failure.

Usage: contract.py [schemathesis run arguments]   (tests/contract/run.sh prepares the venv)"""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))
from servers import missing_binaries, post, running  # noqa: E402

PASSWORD = "correct horse battery staple"
# Fixed, so a failure seen in CI is reproduced by running this again.
SEED = os.environ.get("LLMCHAT_CONTRACT_SEED", "20261203")
MAX_EXAMPLES = os.environ.get("LLMCHAT_CONTRACT_MAX_EXAMPLES", "40")


def agents_yaml(mock: str) -> str:
    return f"""agents:
  - id: demo
    name: Demo
    provider: {{type: demo, chars_per_second: 1000000}}
  - id: gpt
    name: GPT
    provider: {{type: openai, base_url: "{mock}/openai/v1", api_key: sk-upstream, model: mock-model, max_retries: 0}}
  - id: claude
    name: Claude
    provider: {{type: anthropic, base_url: "{mock}/anthropic", api_key: sk-upstream, model: mock-model, max_retries: 0}}
"""


def resources(base: str, token: str) -> dict[str, str]:
    """What the generated requests need to reach past 404: a conversation with a question and
    its answer (from the demo agent). Names the environment variables schemathesis.toml and
    hooks.py read."""
    conversation = post(f"{base}/api/conversations", {"agent_id": "demo"}, token)["id"]
    answer = post(f"{base}/api/conversations/{conversation}/messages",
                  {"content": "Hello", "stream": False}, token)
    return {"LLMCHAT_CONTRACT_CONVERSATION": conversation,
            "LLMCHAT_CONTRACT_MESSAGE": answer["id"]}


def admin_resources(base: str, token: str) -> dict[str, str]:
    """An agent stored in the database (the demo provider), for the administrator's agent
    operations."""
    definition = {"id": "contract-agent", "name": "Contract", "provider": {"type": "demo"}}
    return {"LLMCHAT_CONTRACT_AGENT": post(f"{base}/api/admin/agents", definition, token)["id"]}


def main() -> int:
    for binary in missing_binaries():
        print(f"{binary} is missing: run `cargo build --bins` (or tests/contract/run.sh)")
        return 2
    # The generated traffic is far above any person's: the per-user and per-address limits
    # would answer 429s, and wrong current passwords (POST /api/auth/password) would lock the
    # signed-in account out of its own token refreshes (423).
    env = {
        "API_RATE_LIMIT": "1000000",
        "LLMCHAT_AUTH__LOGIN_ATTEMPTS_PER_IP": "1000000",
        "LLMCHAT_AUTH__MAX_FAILED_LOGINS": "1000000",
        "LLMCHAT_AUTH__PASSWORD_CHANGES_PER_MINUTE": "1000000",
    }
    with running(agents_yaml, env) as (base, log_path):
        # In development the first account becomes the administrator.
        signed_in = post(f"{base}/api/auth/register",
                         {"username": "contract-admin", "password": PASSWORD})
        admin, admin_token = signed_in["user"], signed_in["access_token"]
        signed_in = post(f"{base}/api/auth/register",
                         {"username": "contract-user", "password": PASSWORD})
        user, user_token = signed_in["user"], signed_in["access_token"]
        subjects = {user["id"]: resources(base, user_token),
                    admin["id"]: resources(base, admin_token)}
        shared = admin_resources(base, admin_token)
        failed = []
        # The user goes first: the administrator's run may disable or delete other accounts.
        for account in (user, admin):
            print(f"\n==> schemathesis, signed in as {account['username']}", flush=True)
            run_env = dict(os.environ)
            run_env.update(subjects[account["id"]])
            run_env.update(shared)
            run_env.update({
                "SCHEMATHESIS_HOOKS": "hooks",
                "PYTHONPATH": str(HERE),
                "LLMCHAT_CONTRACT_BASE": base,
                "LLMCHAT_CONTRACT_USER": account["username"],
                "LLMCHAT_CONTRACT_USER_ID": account["id"],
                "LLMCHAT_CONTRACT_OTHER_ID": user["id"],
                "LLMCHAT_CONTRACT_PASSWORD": PASSWORD,
            })
            command = [
                str(Path(sys.executable).parent / "schemathesis"),
                "--config-file", str(HERE / "schemathesis.toml"), "run",
                f"{base}/api/openapi.json", "--seed", SEED,
                "--max-examples", MAX_EXAMPLES, "--no-color",
                # One worker: with two, CPython 3.11 before 3.11.8 can fail parsing in threads
                # ("AST constructor recursion depth mismatch", inside hypothesis).
                "--workers", "1",
                "--request-timeout", "10", *sys.argv[1:],
            ]
            if subprocess.run(command, env=run_env).returncode != 0:
                failed.append(account["username"])
        panics = [line for line in open(log_path) if "panicked" in line]
        for line in panics[:5]:
            print(f"server log: {line.strip()}")
        if failed or panics:
            print(f"\ncontract check FAILED (as {', '.join(failed) or 'both'}"
                  f"{'; the server panicked' if panics else ''})")
            return 1
    print("\ncontract check: no failures as administrator and as user")
    return 0


if __name__ == "__main__":
    sys.exit(main())
