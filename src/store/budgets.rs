//! The price table (per model, micros per million tokens), budgets of users and groups, and
//! the thresholds already reported for a budget's period.

use sqlx::FromRow;

use crate::error::{Error, Result};
use crate::store::{Db, now_ms};

#[derive(Debug, Clone, FromRow)]
pub struct PriceRow {
    pub model: String,
    /// Micros of the currency per million input (prompt) tokens.
    pub input_micros: i64,
    /// Micros per million output (completion) tokens.
    pub output_micros: i64,
    pub updated_at: i64,
    pub updated_by: Option<String>,
}

pub async fn list_prices(db: &Db) -> Result<Vec<PriceRow>> {
    Ok(sqlx::query_as(
        "SELECT model, input_micros, output_micros, updated_at, updated_by FROM model_prices \
         ORDER BY model",
    )
    .fetch_all(db.pool())
    .await?)
}

pub async fn price_of(db: &Db, model: &str) -> Result<Option<PriceRow>> {
    Ok(sqlx::query_as(
        "SELECT model, input_micros, output_micros, updated_at, updated_by FROM model_prices \
         WHERE model = $1",
    )
    .bind(model)
    .fetch_optional(db.pool())
    .await?)
}

/// Sets the price of `model` (inserting or replacing it).
pub async fn put_price(db: &Db, model: &str, input: i64, output: i64, by: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO model_prices (model, input_micros, output_micros, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (model) DO UPDATE SET \
         input_micros = excluded.input_micros, output_micros = excluded.output_micros, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(model)
    .bind(input)
    .bind(output)
    .bind(now_ms())
    .bind(by)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn delete_price(db: &Db, model: &str) -> Result<()> {
    let done = sqlx::query("DELETE FROM model_prices WHERE model = $1")
        .bind(model)
        .execute(db.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct BudgetRow {
    /// `user` or `group`.
    pub scope: String,
    pub scope_id: String,
    /// The user's username or the group's name (`None` when it is gone).
    pub name: Option<String>,
    pub tokens_per_day: Option<i64>,
    pub cost_per_month_micros: Option<i64>,
    pub updated_at: i64,
}

const SELECT: &str = "SELECT b.scope, b.scope_id, \
     CASE WHEN b.scope = 'user' THEN u.username ELSE g.name END AS name, \
     b.tokens_per_day, b.cost_per_month_micros, b.updated_at FROM budgets b \
     LEFT JOIN users u ON b.scope = 'user' AND u.id = b.scope_id AND u.deleted_at IS NULL \
     LEFT JOIN user_groups g ON b.scope = 'group' AND g.id = b.scope_id";

/// Every budget, users' then groups', by name.
pub async fn list_budgets(db: &Db) -> Result<Vec<BudgetRow>> {
    let sql = format!("{SELECT} ORDER BY b.scope DESC, name");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?)
}

/// The budgets that apply to `user_id`: their own and their groups'.
pub async fn budgets_for_user(db: &Db, user_id: &str) -> Result<Vec<BudgetRow>> {
    let sql = format!(
        "{SELECT} WHERE (b.scope = 'user' AND b.scope_id = $1) OR (b.scope = 'group' AND \
         b.scope_id IN (SELECT group_id FROM group_members WHERE user_id = $1)) \
         ORDER BY b.scope DESC, name"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_all(db.pool())
        .await?)
}

/// Sets a budget; with neither limit it is removed.
pub async fn put_budget(
    db: &Db,
    scope: &str,
    scope_id: &str,
    tokens_per_day: Option<i64>,
    cost_per_month_micros: Option<i64>,
) -> Result<()> {
    if tokens_per_day.is_none() && cost_per_month_micros.is_none() {
        return delete_budget(db, scope, scope_id).await;
    }
    sqlx::query(
        "INSERT INTO budgets (scope, scope_id, tokens_per_day, cost_per_month_micros, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, scope_id) DO UPDATE SET \
         tokens_per_day = excluded.tokens_per_day, \
         cost_per_month_micros = excluded.cost_per_month_micros, updated_at = excluded.updated_at",
    )
    .bind(scope)
    .bind(scope_id)
    .bind(tokens_per_day)
    .bind(cost_per_month_micros)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn delete_budget(db: &Db, scope: &str, scope_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM budgets WHERE scope = $1 AND scope_id = $2")
        .bind(scope)
        .bind(scope_id)
        .execute(db.pool())
        .await?;
    sqlx::query("DELETE FROM budget_alerts WHERE scope = $1 AND scope_id = $2")
        .bind(scope)
        .bind(scope_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Notes that `level` percent of a budget's period was reached; false when it was already.
pub async fn note_alert(
    db: &Db,
    scope: &str,
    scope_id: &str,
    kind: &str,
    period_start: i64,
    level: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO budget_alerts (scope, scope_id, kind, period_start, level, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(scope)
    .bind(scope_id)
    .bind(kind)
    .bind(period_start)
    .bind(level)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}
