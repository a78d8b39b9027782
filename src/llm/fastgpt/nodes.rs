//! What FastGPT reports about its workflow nodes: the per-node results (`flowResponses` in a
//! stream, `responseData` in a whole reply) as statuses, citations and token counts, and the
//! interactive nodes (user select, form input) that pause a workflow for the user.

use std::collections::HashSet;

use serde_json::Value;

use crate::llm::wire::non_empty_str;

use crate::llm::{
    ChatEvent, Citation, Interactive, InteractiveField, InteractiveKind, InteractiveOption,
    NodeState, Usage,
};

/// Fields of a node result that hold the results of the nodes it ran inside it (a tool call's
/// tools, a plugin's workflow, a loop's iterations).
const CHILD_LISTS: [&str; 3] = ["toolDetail", "pluginDetail", "loopDetail"];

/// The node results → a `Status` per top-level node but the start node (`Failed` when it
/// reports an error), one `Citations` with every dataset quote (once each), and a `Usage`
/// summed over all nodes when any reports tokens.
pub(super) fn node_results(nodes: &[Value]) -> Vec<ChatEvent> {
    let mut events: Vec<ChatEvent> = nodes.iter().filter_map(node_status).collect();

    let mut citations = Vec::new();
    let mut seen = HashSet::new();
    let mut usage = None;
    walk(nodes, &mut |node| {
        for quote in node
            .get("quoteList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            // The search node and the chat node that used it can both list the same quote.
            let id = non_empty_str(quote.get("id")).map(str::to_string);
            if id.is_some_and(|id| !seen.insert(id)) {
                continue;
            }
            citations.extend(citation(quote));
        }
        add_tokens(&mut usage, node);
    });
    if !citations.is_empty() {
        events.push(ChatEvent::Citations(citations));
    }
    events.extend(usage.map(ChatEvent::Usage));
    events
}

fn walk(nodes: &[Value], visit: &mut impl FnMut(&Value)) {
    for node in nodes {
        visit(node);
        for list in CHILD_LISTS {
            if let Some(children) = node.get(list).and_then(Value::as_array) {
                walk(children, visit);
            }
        }
    }
}

fn node_status(node: &Value) -> Option<ChatEvent> {
    // The start node is plumbing (FastGPT never shows it running), and newer versions name it
    // by an untranslated i18n key.
    if node.get("moduleType").and_then(Value::as_str) == Some("workflowStart") {
        return None;
    }
    let name =
        non_empty_str(node.get("moduleName")).or_else(|| non_empty_str(node.get("moduleType")))?;
    // `errorText` is the readable message; `error` is a string or an object with `message`.
    let error = non_empty_str(node.get("errorText"))
        .map(str::to_string)
        .or_else(|| match node.get("error") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) if text.is_empty() => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(other) => Some(
                non_empty_str(other.get("message"))
                    .map_or_else(|| other.to_string(), str::to_string),
            ),
        });
    Some(ChatEvent::Status {
        node: name.to_string(),
        state: if error.is_some() {
            NodeState::Failed
        } else {
            NodeState::Done
        },
        detail: error,
    })
}

/// A dataset quote `{q, a, sourceName, sourceId, score}` → a citation: the source file as the
/// title, the question (and answer, for Q&A data) as the snippet.
fn citation(quote: &Value) -> Option<Citation> {
    let q = non_empty_str(quote.get("q"));
    let a = non_empty_str(quote.get("a"));
    let snippet = match (q, a) {
        (Some(q), Some(a)) => Some(format!("{q}\n{a}")),
        (Some(text), None) | (None, Some(text)) => Some(text.to_string()),
        (None, None) => None,
    };
    let title = non_empty_str(quote.get("sourceName"))
        .map(str::to_string)
        .or_else(|| snippet.as_ref().map(|s| s.chars().take(60).collect()))?;
    // A web-link collection's source id is its URL; file ids are not addresses.
    let url = non_empty_str(quote.get("sourceId"))
        .filter(|id| id.starts_with("http://") || id.starts_with("https://"))
        .map(str::to_string);
    Some(Citation {
        title,
        snippet,
        url,
        score: score(quote.get("score")),
    })
}

/// Older versions give one number; newer a list of `{type, value}` per ranking. Only the
/// rerank and embedding scores are similarities (FastGPT itself hides full-text and RRF ones).
fn score(score: Option<&Value>) -> Option<f64> {
    match score? {
        Value::Number(number) => number.as_f64(),
        Value::Array(scores) => ["reRank", "embedding"].iter().find_map(|kind| {
            scores
                .iter()
                .find(|s| s.get("type").and_then(Value::as_str) == Some(*kind))
                .and_then(|s| s.get("value")?.as_f64())
        }),
        _ => None,
    }
}

/// Adds a node's model tokens (`inputTokens`/`outputTokens`, or the tool-call node's
/// `toolCallInputTokens`/`toolCallOutputTokens`) to the running total.
fn add_tokens(usage: &mut Option<Usage>, node: &Value) {
    let count = |field: &str| node.get(field).and_then(Value::as_u64);
    let input = [count("inputTokens"), count("toolCallInputTokens")];
    let output = [count("outputTokens"), count("toolCallOutputTokens")];
    if input.iter().chain(&output).all(Option::is_none) {
        return;
    }
    let total = usage.get_or_insert_with(Usage::default);
    total.prompt_tokens += input.iter().flatten().sum::<u64>();
    total.completion_tokens += output.iter().flatten().sum::<u64>();
}

/// An interactive node's `{type, params}` → what to ask the user. A nested workflow (plugin,
/// loop, tool) that paused carries the paused node in `params.childrenResponse`.
pub(super) fn interactive(value: &Value) -> Option<Interactive> {
    let params = value.get("params")?;
    let prompt = non_empty_str(params.get("description")).map(str::to_string);
    match value.get("type").and_then(Value::as_str)? {
        "userSelect" | "agentPlanAskUserSelect" => Some(Interactive {
            kind: InteractiveKind::Select,
            prompt,
            // The user answers with the option's text, so it is both label and value; `key`
            // is an internal handle of the workflow edge.
            options: params
                .get("userSelectOptions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|o| non_empty_str(o.get("value")))
                .map(|text| InteractiveOption {
                    label: text.to_string(),
                    value: text.to_string(),
                })
                .collect(),
            fields: Vec::new(),
        }),
        "userInput" | "agentPlanAskUserForm" => Some(Interactive {
            kind: InteractiveKind::Form,
            prompt,
            options: Vec::new(),
            fields: params
                .get("inputForm")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(form_field)
                .collect(),
        }),
        _ => interactive(params.get("childrenResponse")?),
    }
}

/// `{type, key, label, required, list: [{label, value}]}`; the answer is a JSON object keyed by
/// `key`.
fn form_field(item: &Value) -> Option<InteractiveField> {
    let name = non_empty_str(item.get("key"))?;
    Some(InteractiveField {
        name: name.to_string(),
        label: non_empty_str(item.get("label")).unwrap_or(name).to_string(),
        kind: non_empty_str(item.get("type"))
            .unwrap_or("input")
            .to_string(),
        required: item
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        options: item
            .get("list")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(option)
            .collect(),
    })
}

/// A `{label?, value}` choice. FastGPT fills `list` with one blank entry on fields that are not
/// selects, so blank values are dropped.
pub(super) fn option(item: &Value) -> Option<InteractiveOption> {
    let value = non_empty_str(item.get("value"))?;
    Some(InteractiveOption {
        label: non_empty_str(item.get("label"))
            .unwrap_or(value)
            .to_string(),
        value: value.to_string(),
    })
}
