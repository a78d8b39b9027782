//! What `${NAME}` placeholders in the agents file resolve to.

/// Variables for `${NAME}` placeholders in the agents file. Never printed.
#[derive(Clone, Default)]
pub struct Placeholders(std::sync::Arc<std::collections::HashMap<String, String>>);

impl Placeholders {
    pub fn new(vars: impl IntoIterator<Item = (String, String)>) -> Placeholders {
        Placeholders(std::sync::Arc::new(vars.into_iter().collect()))
    }

    /// The value of `name`; an empty value counts as unset.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).filter(|v| !v.trim().is_empty()).cloned()
    }
}

impl std::fmt::Debug for Placeholders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Placeholders({} variables)", self.0.len())
    }
}
