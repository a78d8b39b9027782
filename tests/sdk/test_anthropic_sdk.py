"""The unmodified `anthropic` SDK against /v1: messages, streaming, tools, models, and its
exceptions."""

import anthropic
import pytest

QUESTION = [{"role": "user", "content": "Hello there"}]
WEATHER = [{"name": "get_weather", "description": "Current weather",
            "input_schema": {"type": "object", "properties": {"location": {"type": "string"}}}}]


@pytest.fixture
def client(server):
    return anthropic.Anthropic(base_url=server.base, api_key=server.key, max_retries=0)


@pytest.mark.parametrize("model", ["claude", "gpt", "demo", "dify-app"])
def test_a_message_from_any_agent(client, model):
    message = client.messages.create(model=model, max_tokens=64, messages=QUESTION,
                                     system="Be brief.")
    assert message.model == model
    assert message.stop_reason == "end_turn"
    # The demo agent shows its reasoning first, as a thinking block.
    text = next(b for b in message.content if b.type == "text")
    assert text.text
    assert message.usage.output_tokens > 0


@pytest.mark.parametrize("model", ["claude", "gpt", "demo"])
def test_a_streamed_message(client, model):
    with client.messages.stream(model=model, max_tokens=64, messages=QUESTION) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0


def test_tool_use_comes_back_whole_and_streamed(client):
    message = client.messages.create(model="claude-tools", max_tokens=64, messages=QUESTION,
                                     tools=WEATHER)
    assert message.stop_reason == "tool_use"
    tool = next(b for b in message.content if b.type == "tool_use")
    assert tool.input["location"] == "San Francisco, CA"
    with client.messages.stream(model="gpt-tools", max_tokens=64, messages=QUESTION,
                                tools=WEATHER) as stream:
        final = stream.get_final_message()
    uses = [b for b in final.content if b.type == "tool_use"]
    assert final.stop_reason == "tool_use"
    assert [u.input["location"] for u in uses] == ["Paris, France", "Tokyo, Japan"]


def test_the_tool_result_round_trip_is_answered(client):
    message = client.messages.create(model="gpt", max_tokens=64, tools=WEATHER, messages=[
        *QUESTION,
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather",
             "input": {"location": "Paris"}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18 C"}]},
    ])
    assert message.content[0].text


def test_models_are_listed_in_anthropics_shape(client):
    ids = [m.id for m in client.models.list()]
    assert {"gpt", "claude", "demo"} <= set(ids)


def test_a_bad_key_is_an_authentication_error(server):
    bad = anthropic.Anthropic(base_url=server.base, api_key="sk-llmc-wrong", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError):
        bad.messages.create(model="demo", max_tokens=8, messages=QUESTION)


def test_an_unknown_or_forbidden_model_is_not_found(client, server):
    with pytest.raises(anthropic.NotFoundError):
        client.messages.create(model="no-such-agent", max_tokens=8, messages=QUESTION)
    scoped = anthropic.Anthropic(base_url=server.base, api_key=server.demo_key, max_retries=0)
    with pytest.raises(anthropic.NotFoundError):
        scoped.messages.create(model="claude", max_tokens=8, messages=QUESTION)


def test_a_malformed_request_is_a_bad_request(client):
    with pytest.raises(anthropic.BadRequestError):
        client.messages.create(model="demo", max_tokens=8, messages=[])


def test_an_agent_limit_is_a_rate_limit_error(client):
    # The limit is one request per minute per user: at the latest the second call is refused.
    with pytest.raises(anthropic.RateLimitError):
        for _ in range(3):
            client.messages.create(model="limited", max_tokens=8, messages=QUESTION)
