"""The unmodified `openai` SDK against /v1: chat, streaming, tools, models, and its exceptions."""

import json

import openai
import pytest

QUESTION = [{"role": "user", "content": "Hello there"}]
WEATHER = [{"type": "function", "function": {
    "name": "get_weather", "description": "Current weather",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}}]


@pytest.fixture
def client(server):
    return openai.OpenAI(base_url=f"{server.base}/v1", api_key=server.key, max_retries=0)


@pytest.mark.parametrize("model", ["gpt", "claude", "demo", "dify-app"])
def test_a_chat_completion_from_any_agent(client, model):
    reply = client.chat.completions.create(model=model, messages=QUESTION, temperature=0.1,
                                           max_tokens=64)
    assert reply.model == model
    assert reply.choices[0].message.content
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens


@pytest.mark.parametrize("model", ["gpt", "claude", "demo"])
def test_a_streamed_completion_with_usage(client, model):
    stream = client.chat.completions.create(model=model, messages=QUESTION, stream=True,
                                            stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0


def test_tool_calls_come_back_whole_and_streamed(client):
    reply = client.chat.completions.create(model="gpt-tools", messages=QUESTION, tools=WEATHER)
    calls = reply.choices[0].message.tool_calls
    assert reply.choices[0].finish_reason == "tool_calls"
    assert [json.loads(c.function.arguments)["location"] for c in calls] == [
        "Paris, France", "Tokyo, Japan"]
    stream = client.chat.completions.create(model="claude-tools", messages=QUESTION,
                                            tools=WEATHER, stream=True)
    pieces = [tc for c in stream if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    assert pieces[0].function.name == "get_weather" and pieces[0].id.startswith("toolu_")
    arguments = json.loads("".join(p.function.arguments or "" for p in pieces))
    assert arguments["location"] == "San Francisco, CA"


def test_the_tool_result_round_trip_is_answered(client):
    reply = client.chat.completions.create(model="claude", tools=WEATHER, messages=[
        *QUESTION,
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"location\": \"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "18 C"},
    ])
    assert reply.choices[0].message.content


def test_models_are_the_agents_the_key_may_use(client, server):
    ids = [m.id for m in client.models.list()]
    assert {"gpt", "claude", "demo"} <= set(ids)
    scoped = openai.OpenAI(base_url=f"{server.base}/v1", api_key=server.demo_key)
    assert [m.id for m in scoped.models.list()] == ["demo"]


def test_a_bad_key_is_an_authentication_error(server):
    bad = openai.OpenAI(base_url=f"{server.base}/v1", api_key="sk-llmc-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.chat.completions.create(model="demo", messages=QUESTION)


def test_an_unknown_or_forbidden_model_is_not_found(client, server):
    with pytest.raises(openai.NotFoundError) as error:
        client.chat.completions.create(model="no-such-agent", messages=QUESTION)
    assert error.value.code == "model_not_found"
    scoped = openai.OpenAI(base_url=f"{server.base}/v1", api_key=server.demo_key, max_retries=0)
    with pytest.raises(openai.NotFoundError):
        scoped.chat.completions.create(model="gpt", messages=QUESTION)


def test_tools_for_an_app_agent_are_a_bad_request(client):
    with pytest.raises(openai.BadRequestError, match="dify-app"):
        client.chat.completions.create(model="dify-app", messages=QUESTION, tools=WEATHER)


def test_an_agent_limit_is_a_rate_limit_error(client):
    # The limit is one request per minute per user: at the latest the second call is refused.
    with pytest.raises(openai.RateLimitError) as error:
        for _ in range(3):
            client.chat.completions.create(model="limited", messages=QUESTION)
    assert int(error.value.response.headers["retry-after"]) >= 1
