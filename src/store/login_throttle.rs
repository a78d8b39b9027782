//! Failed sign-ins per account and source, shared by every replica through the database.
//!
//! An attempt is counted before its password is checked (so parallel guesses cannot outrun
//! the count), in one upsert that refuses a row whose wait is not over. A source that reaches the free
//! allowance waits before its next attempt, twice as long each time, up to a ceiling; a
//! successful sign-in clears its row. Other sources are never slowed by it.

use crate::error::Result;
use crate::store::Db;

/// A source's history is forgotten after a day without attempts.
const FORGET_AFTER_MS: i64 = 24 * 3600 * 1000;

/// How attempts are slowed down.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures in a row a source gets before it has to wait.
    pub free: i64,
    /// The first wait (ms); each further failure doubles it.
    pub first_delay_ms: i64,
    /// The longest wait between two attempts (ms).
    pub max_delay_ms: i64,
}

impl Policy {
    /// The wait (ms) before the next attempt once `failures` attempts in a row were counted:
    /// none below the allowance, then the first wait, twice that, four times… up to the ceiling.
    pub fn delay_ms(&self, failures: i64) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = u32::try_from((failures - self.free).min(40)).unwrap_or(40);
        self.first_delay_ms
            .max(1)
            .saturating_mul(1_i64 << doublings)
            .min(self.max_delay_ms)
    }

    /// [`Policy::delay_ms`] as an SQL expression over the count `n` (SQLite has no `pow`):
    /// a `CASE` with one branch per doubling below the ceiling. Only integers go in.
    fn delay_sql(&self, n: &str) -> String {
        let mut sql = format!("(CASE WHEN {n} < {} THEN 0", self.free);
        let mut failures = self.free;
        loop {
            let delay = self.delay_ms(failures);
            if delay >= self.max_delay_ms || failures - self.free > 40 {
                break;
            }
            sql.push_str(&format!(" WHEN {n} = {failures} THEN {delay}"));
            failures += 1;
        }
        sql.push_str(&format!(" ELSE {} END)", self.max_delay_ms));
        sql
    }
}

/// The outcome of counting an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The source must wait until this time (unix ms): the password is not checked.
    Wait(i64),
    /// The n-th attempt in a row from this source: check the password.
    Counted(i64),
}

/// Counts an attempt on `account` from `source` at `now`, unless the source must wait. One
/// statement (an upsert that moves only a row with no wait, or whose wait is over), so
/// parallel attempts on any replica are counted one by one and none slips past a wait. A row
/// without a wait (`next_at = updated_at`) never refuses, whatever the order in which
/// parallel requests read the clock.
pub async fn begin(
    db: &Db,
    account: &str,
    source: &str,
    now: i64,
    policy: Policy,
) -> Result<Attempt> {
    // The row's count after this attempt: a day-old history starts afresh.
    let count = "(CASE WHEN login_throttle.updated_at < $4 THEN 1 \
                 ELSE login_throttle.failures + 1 END)";
    let sql = format!(
        "INSERT INTO login_throttle (account, source, failures, next_at, updated_at) \
         VALUES ($1, $2, 1, $3 + {first}, $3) \
         ON CONFLICT (account, source) DO UPDATE SET failures = {count}, \
         next_at = $3 + {delay}, updated_at = $3 \
         WHERE login_throttle.next_at <= login_throttle.updated_at \
         OR login_throttle.next_at <= $3 OR login_throttle.updated_at < $4 \
         RETURNING failures",
        first = policy.delay_ms(1),
        delay = policy.delay_sql(count),
    );
    let counted: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(account)
        .bind(source)
        .bind(now)
        .bind(now - FORGET_AFTER_MS)
        .fetch_optional(db.pool())
        .await?;
    if let Some(count) = counted {
        return Ok(Attempt::Counted(count));
    }
    let next_at: Option<i64> =
        sqlx::query_scalar("SELECT next_at FROM login_throttle WHERE account = $1 AND source = $2")
            .bind(account)
            .bind(source)
            .fetch_optional(db.pool())
            .await?;
    Ok(Attempt::Wait(next_at.unwrap_or(now + 1000).max(now + 1)))
}

/// A successful sign-in from `source`: its count starts afresh. Other sources keep theirs.
pub async fn succeeded(db: &Db, account: &str, source: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_throttle WHERE account = $1 AND source = $2")
        .bind(account)
        .bind(source)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Forgets every source's failures on an account (a password reset by an admin).
pub async fn clear_account(db: &Db, account: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_throttle WHERE account = $1")
        .bind(account)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Drops histories nobody added to for a day (they no longer slow anyone down).
pub async fn forget_stale(db: &Db, now: i64) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM login_throttle WHERE updated_at < $1 AND next_at < $2")
            .bind(now - FORGET_AFTER_MS)
            .bind(now)
            .execute(db.pool())
            .await?
            .rows_affected(),
    )
}

/// The throttle key of a real account.
pub fn user_account(user_id: &str) -> String {
    format!("user:{user_id}")
}

/// The throttle key of a name that matches no account (counted exactly like a real one, so
/// answers never tell them apart).
pub fn name_account(login_key: &str) -> String {
    format!("name:{login_key}")
}

#[cfg(test)]
mod tests {
    use super::Policy;

    #[test]
    fn the_wait_doubles_after_the_free_attempts_up_to_the_ceiling() {
        let policy = Policy {
            free: 5,
            first_delay_ms: 1000,
            max_delay_ms: 15 * 60 * 1000,
        };
        let waits: Vec<i64> = (1..=17).map(|n| policy.delay_ms(n)).collect();
        assert_eq!(
            waits,
            [
                0, 0, 0, 0, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000,
                512_000, 900_000, 900_000, 900_000
            ]
        );
        assert_eq!(policy.delay_ms(i64::MAX), 900_000, "no overflow");
    }
}
