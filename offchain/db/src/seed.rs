//! Development and demo data: `seed.sql` (beside this file), embedded at compile time.
//!
//! The script runs in a single transaction, so it either writes everything or nothing. It is
//! written to be re-runnable (inserts skip rows that are already there), which makes
//! `passa db seed` safe to call twice.

use sqlx::postgres::PgConnection;
use sqlx::Connection;

use crate::error::{Error, Result};
use crate::migrations;

/// The seed script, as compiled into this binary.
pub const SEED_SQL: &str = include_str!("seed.sql");

/// Runs [`SEED_SQL`] in one transaction.
///
/// Refuses to run while migrations are pending, since the script expects the full schema.
pub async fn seed(conn: &mut PgConnection) -> Result<()> {
    let pending = migrations::status(conn).await?.pending();
    if pending > 0 {
        return Err(Error::SeedNeedsMigrations { pending });
    }
    let mut tx = conn.begin().await.map_err(Error::Seed)?;
    sqlx::raw_sql(SEED_SQL)
        .execute(&mut *tx)
        .await
        .map_err(Error::Seed)?;
    tx.commit().await.map_err(Error::Seed)?;
    Ok(())
}
