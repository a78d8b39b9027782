//! What a budget is, as its user sees it: the answer of `GET /api/usage/budgets` and the
//! `budget` of a 429 `budget_exceeded` (a leaf, so that the error body can carry it).

use serde::Serialize;
use utoipa::ToSchema;

/// Where a budget comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BudgetScope {
    /// The server's daily quota for every user (`chat.daily_token_quota`).
    Server,
    User,
    Group,
}

impl BudgetScope {
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetScope::Server => "server",
            BudgetScope::User => "user",
            BudgetScope::Group => "group",
        }
    }
}

/// What a budget limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BudgetKind {
    TokensPerDay,
    CostPerMonth,
}

impl BudgetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetKind::TokensPerDay => "tokens_per_day",
            BudgetKind::CostPerMonth => "cost_per_month",
        }
    }
}

/// A budget as its user sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BudgetStatus {
    pub scope: BudgetScope,
    /// The group's name, the user's name, or `server`.
    pub name: String,
    pub kind: BudgetKind,
    /// Tokens, or an amount of `currency` as a decimal.
    pub limit: f64,
    /// Used in this period, plus what running requests hold.
    pub used: f64,
    pub remaining: f64,
    /// The currency of cost budgets (`budgets.currency`), `null` for tokens.
    pub currency: Option<String>,
    /// When the period starts afresh (RFC 3339).
    pub resets_at: String,
}
