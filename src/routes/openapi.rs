//! Completes the generated OpenAPI document with the answers every route shares, so the
//! document lists each status code the server really sends (client generators and the
//! contract check in `tests/contract` read it): 401 where a bearer token is required, 400,
//! 413, 415 and 422 where a JSON body is read, 400 and 422 where query parameters are
//! parsed, and 429 from the per-principal rate limit on `/api` and `/v1`. A route's own
//! description of a status wins; the added ones use the error shape the route already
//! documents (the `/v1` APIs answer in OpenAI's or Anthropic's shape), else `ErrorResponse`.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder, Schema};

pub fn complete(doc: &mut OpenApi) {
    doc.components
        .get_or_insert_with(Default::default)
        .schemas
        .insert("SseEvent".into(), sse_event());
    for (path, item) in doc.paths.paths.iter_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            complete_operation(path, operation);
        }
    }
}

/// One event of a `text/event-stream` answer, as a reader of the stream sees it: `data` (JSON
/// text: the chat events' shapes are the `*Event` schemas; OpenAI's stream ends with
/// `[DONE]`), with the `event` name, the `id` to resume from and the `retry` advice where the
/// stream sends them.
fn sse_event() -> RefOr<Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let string = || ObjectBuilder::new().schema_type(Type::String);
    ObjectBuilder::new()
        .description(Some("One server-sent event"))
        .property("event", string())
        .property("data", string())
        .property("id", string())
        .property("retry", ObjectBuilder::new().schema_type(Type::Integer))
        .into()
}

fn complete_operation(path: &str, op: &mut Operation) {
    for response in op.responses.responses.values_mut() {
        if let RefOr::T(response) = response
            && let Some(RefOr::T(stream)) = response.content.get_mut("text/event-stream")
        {
            stream.schema = Some(RefOr::Ref(Ref::from_schema_name("SseEvent")));
        }
    }
    let error_schema = error_schema(op);
    let mut add = |status: &str, description: &str| {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(Some(error_schema.clone()))
                                .build(),
                        )
                        .build(),
                )
            });
    };
    let bearer = op.security.iter().flatten().any(|requirement| {
        serde_json::to_value(requirement)
            .ok()
            .and_then(|v| v.get("bearer").cloned())
            .is_some()
    });
    if bearer {
        add(
            "401",
            "no, an expired or an invalid access token or API key",
        );
    }
    let body = op.request_body.as_ref().and_then(|body| match body {
        RefOr::T(body) => Some(body),
        RefOr::Ref(_) => None,
    });
    if let Some(body) = body {
        add(
            "400",
            "the body cannot be read (malformed JSON or multipart)",
        );
        add("413", "the body is larger than the server accepts");
        add("415", "the body is not of the documented content type");
        if body.content.contains_key("application/json") {
            add("422", "the JSON body does not match the documented schema");
        }
    }
    let query = op.parameters.iter().flatten().any(|p| match p {
        RefOr::T(p) => matches!(p.parameter_in, ParameterIn::Query),
        RefOr::Ref(_) => false,
    });
    if query {
        add("400", "a query parameter cannot be parsed");
        add("422", "a query parameter is out of range");
    }
    if !crate::http::limits::exempt(path) {
        add("429", "over the rate limit (see the Retry-After header)");
    }
}

/// The error body the operation documents for its other 4xx answers, else `ErrorResponse`.
fn error_schema(op: &Operation) -> RefOr<Schema> {
    op.responses
        .responses
        .iter()
        .filter(|(status, _)| status.starts_with('4'))
        .find_map(|(_, response)| match response {
            RefOr::T(response) => response
                .content
                .get("application/json")
                .and_then(|content| match content {
                    RefOr::T(content) => content.schema.clone(),
                    RefOr::Ref(_) => None,
                }),
            RefOr::Ref(_) => None,
        })
        .unwrap_or_else(|| RefOr::Ref(Ref::from_schema_name("ErrorResponse")))
}

/// What utoipa's model cannot say, added to the JSON: the password fields refuse the
/// passwords nobody may pick (`not: {enum: …}`), an email field also takes `""` (no email),
/// as the server does, and unsigned integers have their real range.
pub fn finish(doc: &mut serde_json::Value) {
    unsigned_ranges(doc);
    const PASSWORDS: [(&str, &str); 4] = [
        ("RegisterRequest", "password"),
        ("NewUserRequest", "password"),
        ("UserPatch", "password"),
        ("PasswordChange", "new_password"),
    ];
    for (schema, field) in PASSWORDS {
        if let Some(property) = property_mut(doc, schema, field) {
            property.insert(
                "not".into(),
                serde_json::json!({ "enum": crate::policy::COMMON }),
            );
        }
    }
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    for schema in schemas.values_mut() {
        let Some(properties) = schema
            .get_mut("properties")
            .and_then(serde_json::Value::as_object_mut)
        else {
            continue;
        };
        for property in properties.values_mut() {
            if property.get("format").and_then(|f| f.as_str()) == Some("email") {
                let description = property.get("description").cloned();
                let mut email = serde_json::json!({
                    "anyOf": [
                        { "type": "string", "format": "email", "maxLength": 254 },
                        { "type": "string", "maxLength": 0 },
                        { "type": "null" },
                    ]
                });
                if let Some(description) = description {
                    email["description"] = description;
                }
                *property = email;
            }
        }
    }
}

fn property_mut<'a>(
    doc: &'a mut serde_json::Value,
    schema: &str,
    field: &str,
) -> Option<&'a mut serde_json::Map<String, serde_json::Value>> {
    doc.pointer_mut(&format!("/components/schemas/{schema}/properties/{field}"))
        .and_then(serde_json::Value::as_object_mut)
}

/// utoipa writes `u32` as `format: int32, minimum: 0`, which readers take to end at 2³¹ − 1;
/// the server takes up to 2³² − 1 (and `u64` up to 2⁶⁴ − 1).
fn unsigned_ranges(node: &mut serde_json::Value) {
    match node {
        serde_json::Value::Object(map) => {
            let unsigned = map
                .get("minimum")
                .and_then(serde_json::Value::as_f64)
                .is_some_and(|min| min >= 0.0);
            let format = map.get("format").and_then(serde_json::Value::as_str);
            let range = match format {
                Some("int32") if unsigned => Some(("uint32", serde_json::json!(u32::MAX))),
                Some("int64") if unsigned => Some(("uint64", serde_json::json!(u64::MAX))),
                _ => None,
            };
            if let Some((format, max)) = range {
                map.insert("format".into(), format.into());
                map.entry("maximum").or_insert(max);
            }
            map.values_mut().for_each(unsigned_ranges);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(unsigned_ranges),
        _ => {}
    }
}
