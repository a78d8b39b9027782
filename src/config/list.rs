//! Lists that can also be written as one comma-separated string, as environment variables are.

use std::str::FromStr;

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Text(String),
    List(Vec<String>),
}

pub(super) fn deserialize<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let items = match OneOrMany::deserialize(deserializer)? {
        OneOrMany::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        OneOrMany::List(items) => items,
    };
    items
        .iter()
        .map(|item| {
            item.parse::<T>()
                .map_err(|e| serde::de::Error::custom(format!("{item:?}: {e}")))
        })
        .collect()
}
