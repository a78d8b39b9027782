"""Schemathesis hooks for tests/contract: signs in as the account named by
$LLMCHAT_CONTRACT_USER (password $LLMCHAT_CONTRACT_PASSWORD) on $LLMCHAT_CONTRACT_BASE and
sends its access token with every generated request. The token is fetched again every ten
seconds, so a case that ends the session (logout, a revoked session) only costs the next few
cases their authentication, never the rest of the run."""

import datetime
import json
import os
import sys
import urllib.error
import urllib.request

import schemathesis


@schemathesis.auth(refresh_interval=10)
class SignedIn:
    def get(self, case, context):
        body = json.dumps({
            "username": os.environ["LLMCHAT_CONTRACT_USER"],
            "password": os.environ["LLMCHAT_CONTRACT_PASSWORD"],
        }).encode()
        request = urllib.request.Request(
            os.environ["LLMCHAT_CONTRACT_BASE"] + "/api/auth/login", body,
            {"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.load(response)["access_token"]
        except urllib.error.HTTPError as e:
            # Schemathesis's report does not say why a token could not be had; this does.
            print(f"contract hooks: signing in as {os.environ['LLMCHAT_CONTRACT_USER']} "
                  f"answered {e.code}: {e.read()[:300]!r}", file=sys.stderr, flush=True)
            raise

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


# Rules of the API that span several fields, which OpenAPI cannot state (the document says
# them in words): generated requests that break only these are brought within them before
# they are sent, so that a 422 for them is not taken for the document lying. Requests that
# are invalid in another way are left as they are.

def _instant(value):
    """A date (`2026-11-26`) or an RFC 3339 timestamp as an aware datetime, else None."""
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.timezone.utc)
        parsed = datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else None
    except ValueError:
        return None


def _usage_window(query):
    """`from` before `to`, at most 366 days apart, both where every time zone can place them
    (a margin of days covers the zone and a date's whole day); otherwise neither is sent and
    the server's default window is used."""
    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = _instant(query.get("from")), _instant(query.get("to"))
    if (query.get("from") and start is None) or (query.get("to") and end is None):
        return  # not a date: a negative case for the server to refuse
    end_or_now = end or now
    start_or_default = start or end_or_now - datetime.timedelta(days=30)
    span = end_or_now - start_or_default
    sane = all(1972 <= t.year <= 9990 for t in (start_or_default, end_or_now))
    if not (sane and datetime.timedelta(days=2) <= span <= datetime.timedelta(days=360)):
        query.pop("from", None)
        query.pop("to", None)


@schemathesis.hook
def before_call(context, case, kwargs):
    method, path = case.operation.method.upper(), case.operation.path
    body = case.body if isinstance(case.body, dict) else None
    query = case.query if isinstance(case.query, dict) else None
    if (method, path) == ("POST", "/api/keys") and body is not None:
        # `expires_at` must be in the future.
        at = _instant(body.get("expires_at"))
        if at is not None and at <= datetime.datetime.now(datetime.timezone.utc):
            body["expires_at"] = (at.replace(year=datetime.datetime.now().year + 1)
                                  .isoformat().replace("+00:00", "Z"))
    if method == "GET" and path in ("/api/usage", "/api/admin/usage") and query is not None:
        _usage_window(query)
    if path == "/api/admin/users/{id}" and method in ("PATCH", "DELETE") \
            and case.path_parameters.get("id") == os.environ["LLMCHAT_CONTRACT_USER_ID"]:
        # The signed-in administrator changes or deletes the other account, not itself: a
        # new password, disabling or deleting would end the run's sign-in.
        case.path_parameters["id"] = os.environ["LLMCHAT_CONTRACT_OTHER_ID"]
    if method == "DELETE" and (case.path_parameters or {}).get("id") in (
            os.environ.get("LLMCHAT_CONTRACT_CONVERSATION"), os.environ.get("LLMCHAT_CONTRACT_AGENT")):
        # The subjects the other operations are pointed at (schemathesis.toml) stay.
        case.path_parameters["id"] = "0"
    if body is not None:
        # A password must differ from the username.
        for field in ("password", "new_password"):
            password, username = body.get(field), body.get("username")
            if isinstance(password, str) and isinstance(username, str) \
                    and password.lower() == username.lower():
                body[field] = password + "!"
