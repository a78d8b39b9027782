//! Budgets and prices: admins keep the price table (per model, per million tokens) and set
//! budgets of users and groups (tokens per day, cost per month); every user sees the budgets
//! that apply to them and what is left. Enforcement is `chat::limits` / `usage::budgets`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::{AdminUser, AuthUser, ClientInfo};
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::views::rfc3339;
use crate::state::AppState;
use crate::store::budgets::{self as store, BudgetRow, PriceRow};
use crate::usage::budgets::BudgetStatus;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_prices, put_price, delete_price))
        .routes(routes!(list_budgets))
        .routes(routes!(put_budget, delete_budget))
        .routes(routes!(my_budgets))
}

/// The most a price or a budget may be, in currency units (a guard against typos).
const MAX_AMOUNT: f64 = 1e9;

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceView {
    /// The model name as agents send it (`gpt-4o-mini`).
    pub model: String,
    /// Price per million input (prompt) tokens, in `currency`.
    pub input_per_million: f64,
    /// Price per million output (completion) tokens.
    pub output_per_million: f64,
    pub updated_at: String,
}

impl From<PriceRow> for PriceView {
    fn from(row: PriceRow) -> Self {
        PriceView {
            model: row.model,
            input_per_million: row.input_micros as f64 / 1e6,
            output_per_million: row.output_micros as f64 / 1e6,
            updated_at: rfc3339(row.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceList {
    /// The currency of every price and cost budget (`budgets.currency`).
    pub currency: String,
    pub items: Vec<PriceView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub model: String,
    #[schema(minimum = 0)]
    pub input_per_million: f64,
    #[schema(minimum = 0)]
    pub output_per_million: f64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ModelQuery {
    /// The model whose price to remove.
    pub model: String,
}

/// The price table.
#[utoipa::path(get, path = "/api/admin/prices", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "every price, by model", body = PriceList),
        (status = 403, description = "not an admin", body = ErrorResponse),
    ))]
async fn list_prices(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
) -> Result<axum::Json<PriceList>> {
    let items = store::list_prices(&state.db).await?;
    Ok(axum::Json(PriceList {
        currency: state.settings().budgets.currency.clone(),
        items: items.into_iter().map(PriceView::from).collect(),
    }))
}

/// Sets the price of a model (requests from now on are charged at it).
#[utoipa::path(put, path = "/api/admin/prices", tag = "admin", security(("bearer" = [])),
    request_body = PriceRequest,
    responses(
        (status = 200, description = "the price as stored", body = PriceView),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 422, description = "an empty model name or a price that is negative or too large (`field` says which)", body = ErrorResponse),
    ))]
async fn put_price(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Json(body): Json<PriceRequest>,
) -> Result<axum::Json<PriceView>> {
    let model = body.model.trim();
    if model.is_empty() || model.chars().count() > 200 {
        return Err(invalid("model", "must be 1–200 characters".into()));
    }
    let input = micros("input_per_million", body.input_per_million)?;
    let output = micros("output_per_million", body.output_per_million)?;
    store::put_price(&state.db, model, input, output, &admin.id).await?;
    let details = serde_json::json!({
        "model": model, "input_per_million": body.input_per_million,
        "output_per_million": body.output_per_million,
    });
    let event = Event::new("admin.price_set", Some(&admin.id)).details(details);
    record(&state, &client, event).await;
    let row = store::price_of(&state.db, model)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(axum::Json(PriceView::from(row)))
}

/// Removes a model's price (its requests cost nothing from now on).
#[utoipa::path(delete, path = "/api/admin/prices", tag = "admin", security(("bearer" = [])),
    params(ModelQuery),
    responses(
        (status = 204, description = "removed"),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no price for this model", body = ErrorResponse),
    ))]
async fn delete_price(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Query(query): Query<ModelQuery>,
) -> Result<StatusCode> {
    store::delete_price(&state.db, &query.model).await?;
    let details = serde_json::json!({ "model": query.model });
    let event = Event::new("admin.price_delete", Some(&admin.id)).details(details);
    record(&state, &client, event).await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetView {
    /// `user` or `group`.
    pub scope: String,
    /// The user's or the group's id.
    pub id: String,
    /// The username or the group's name.
    pub name: Option<String>,
    /// Tokens (prompt + completion) per UTC day.
    pub tokens_per_day: Option<i64>,
    /// Cost per UTC month, in `currency`.
    pub cost_per_month: Option<f64>,
    pub updated_at: String,
}

impl From<BudgetRow> for BudgetView {
    fn from(row: BudgetRow) -> Self {
        BudgetView {
            scope: row.scope,
            id: row.scope_id,
            name: row.name,
            tokens_per_day: row.tokens_per_day,
            cost_per_month: row.cost_per_month_micros.map(|m| m as f64 / 1e6),
            updated_at: rfc3339(row.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetList {
    pub currency: String,
    pub items: Vec<BudgetView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetRequest {
    /// Tokens per UTC day; `null` for no daily limit.
    #[schema(minimum = 1)]
    pub tokens_per_day: Option<i64>,
    /// Cost per UTC month in `currency`; `null` for no monthly limit.
    #[schema(minimum = 0)]
    pub cost_per_month: Option<f64>,
}

/// Every budget of users and groups.
#[utoipa::path(get, path = "/api/admin/budgets", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "every budget", body = BudgetList),
        (status = 403, description = "not an admin", body = ErrorResponse),
    ))]
async fn list_budgets(
    State(state): State<AppState>,
    AdminUser(_admin): AdminUser,
) -> Result<axum::Json<BudgetList>> {
    let items = store::list_budgets(&state.db).await?;
    Ok(axum::Json(BudgetList {
        currency: state.settings().budgets.currency.clone(),
        items: items.into_iter().map(BudgetView::from).collect(),
    }))
}

/// Sets the budget of a user (their own use) or of a group (its members' use together).
/// With both limits `null` the budget is removed.
#[utoipa::path(put, path = "/api/admin/budgets/{scope}/{id}", tag = "admin", security(("bearer" = [])),
    params(("scope" = String, Path, description = "`user` or `group`"), ("id" = String, Path, description = "the user's or group's id")),
    request_body = BudgetRequest,
    responses(
        (status = 200, description = "the budget as stored", body = BudgetView),
        (status = 204, description = "both limits null: the budget was removed"),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such scope, user or group", body = ErrorResponse),
        (status = 422, description = "a limit that is not positive or too large (`field` says which)", body = ErrorResponse),
    ))]
async fn put_budget(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path((scope, id)): Path<(String, String)>,
    Json(body): Json<BudgetRequest>,
) -> Result<axum::response::Response> {
    use axum::response::IntoResponse;
    let scope = existing_scope(&state, &scope, &id).await?;
    if body.tokens_per_day.is_some_and(|t| t < 1) {
        return Err(invalid(
            "tokens_per_day",
            "must be at least 1 (or null)".into(),
        ));
    }
    let cost = body
        .cost_per_month
        .map(|c| micros("cost_per_month", c))
        .transpose()?;
    store::put_budget(&state.db, scope, &id, body.tokens_per_day, cost).await?;
    let details = serde_json::json!({
        "scope": scope, "tokens_per_day": body.tokens_per_day, "cost_per_month": body.cost_per_month,
    });
    let event = Event::new("admin.budget_set", Some(&admin.id))
        .target(scope_target(scope), &id)
        .details(details);
    record(&state, &client, event).await;
    let row = store::list_budgets(&state.db)
        .await?
        .into_iter()
        .find(|b| b.scope == scope && b.scope_id == id);
    Ok(match row {
        Some(row) => axum::Json(BudgetView::from(row)).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// Removes the budget of a user or a group.
#[utoipa::path(delete, path = "/api/admin/budgets/{scope}/{id}", tag = "admin", security(("bearer" = [])),
    params(("scope" = String, Path, description = "`user` or `group`"), ("id" = String, Path, description = "the user's or group's id")),
    responses(
        (status = 204, description = "removed (or there was none)"),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such scope, user or group", body = ErrorResponse),
    ))]
async fn delete_budget(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path((scope, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    let scope = existing_scope(&state, &scope, &id).await?;
    store::delete_budget(&state.db, scope, &id).await?;
    let event = Event::new("admin.budget_delete", Some(&admin.id))
        .target(scope_target(scope), &id)
        .details(serde_json::json!({ "scope": scope }));
    record(&state, &client, event).await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyBudgets {
    /// Every budget that applies to the signed-in user: the server's daily quota, their own,
    /// their groups'. A request is refused (429 `budget_exceeded` or `daily_quota_exceeded`)
    /// while any of them has nothing left.
    pub items: Vec<BudgetStatus>,
}

/// The budgets that apply to the signed-in user, and what is left of each.
#[utoipa::path(get, path = "/api/usage/budgets", tag = "usage", security(("bearer" = [])),
    responses(
        (status = 200, description = "the user's budgets", body = MyBudgets),
        (status = 401, description = "not signed in", body = ErrorResponse),
    ))]
async fn my_budgets(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<axum::Json<MyBudgets>> {
    Ok(axum::Json(MyBudgets {
        items: crate::usage::budgets::status(&state, &user.id).await?,
    }))
}

/// `user` or `group` whose `id` exists; 404 otherwise.
async fn existing_scope(state: &AppState, scope: &str, id: &str) -> Result<&'static str> {
    match scope {
        "user"
            if crate::store::users::get_user(&state.db, id)
                .await?
                .is_some() =>
        {
            Ok("user")
        }
        "group"
            if crate::store::groups::get_group(&state.db, id)
                .await?
                .is_some() =>
        {
            Ok("group")
        }
        _ => Err(Error::NotFound),
    }
}

fn scope_target(scope: &str) -> &'static str {
    if scope == "group" { "group" } else { "user" }
}

/// An amount in currency units as micros; 422 naming `field` when negative, not a number or
/// too large.
fn micros(field: &str, amount: f64) -> Result<i64> {
    if !amount.is_finite() || !(0.0..=MAX_AMOUNT).contains(&amount) {
        return Err(invalid(
            field,
            format!("must be a number from 0 to {MAX_AMOUNT}"),
        ));
    }
    Ok((amount * 1e6).round() as i64)
}

fn invalid(field: &str, message: String) -> Error {
    Error::Invalid {
        field: field.into(),
        message,
    }
}
