//! Schema migrations: the reversible sqlx migrations of `migrations/` (repository root),
//! embedded in the binary at compile time.
//!
//! sqlx records what it applied in the table `_sqlx_migrations` (version, description,
//! checksum of the `.up.sql`, time). [`status`] compares that table with the embedded list,
//! [`migrate`] applies what is pending, [`revert`] runs `.down.sql` files newest first. Each
//! migration runs in its own transaction, so a failure leaves the database at the last
//! migration that succeeded.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use sqlx::migrate::{Migration, Migrator};
use sqlx::postgres::PgConnection;
use sqlx::types::chrono::{DateTime, Utc};

use crate::error::{Error, Result};

/// Every migration of `migrations/`, embedded when `passa` was compiled.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// The up migrations this binary knows, oldest first.
pub fn known() -> impl Iterator<Item = &'static Migration> {
    MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
}

/// The down migration of `version`, if the binary has one.
fn down_of(version: i64) -> Option<&'static Migration> {
    MIGRATOR
        .iter()
        .find(|m| m.version == version && m.migration_type.is_down_migration())
}

/// A migration version as the files spell it (`0007`).
pub fn format_version(version: i64) -> String {
    format!("{version:04}")
}

/// One row of `_sqlx_migrations`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppliedRow {
    /// Version (the number the file name starts with).
    pub version: i64,
    /// Description, as recorded when it was applied.
    pub description: String,
    /// When it was applied.
    pub installed_on: DateTime<Utc>,
    /// `false` for a migration that failed half-way (only possible without a transaction).
    pub success: bool,
    /// SHA-384 of the `.up.sql` that was applied.
    pub checksum: Vec<u8>,
}

/// Reads `_sqlx_migrations`, oldest first. A database that was never migrated has no such
/// table: that reads as an empty history (and nothing is created).
pub async fn history(conn: &mut PgConnection) -> Result<Vec<AppliedRow>> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await
        .map_err(Error::History)?;
    if !exists {
        return Ok(Vec::new());
    }
    sqlx::query_as(
        "SELECT version, description, installed_on, success, checksum \
         FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(Error::History)
}

/// Where a migration stands in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Applied and recorded.
    Applied,
    /// Not applied yet.
    Pending,
    /// Recorded as failed half-way; needs a human.
    Failed,
}

impl State {
    /// The word shown in `passa db status`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Pending => "pending",
            State::Failed => "FAILED",
        }
    }
}

/// One line of [`StatusReport`].
#[derive(Debug, Clone)]
pub struct MigrationStatus {
    /// Version.
    pub version: i64,
    /// Description (from the binary, or from the database for unknown migrations).
    pub description: String,
    /// Applied, pending or failed.
    pub state: State,
    /// When it was applied.
    pub applied_at: Option<DateTime<Utc>>,
    /// The applied `.up.sql` differs from the one in this binary (someone edited an applied
    /// migration: add a new migration instead).
    pub checksum_mismatch: bool,
    /// Applied in the database, but this binary has no such migration.
    pub missing_from_binary: bool,
}

impl MigrationStatus {
    /// Human-readable warnings for this migration, empty when all is well.
    pub fn problems(&self) -> Vec<&'static str> {
        let mut problems = Vec::new();
        if self.checksum_mismatch {
            problems.push("CHECKSUM MISMATCH: the applied .up.sql differs from this binary's");
        }
        if self.missing_from_binary {
            problems.push("MISSING: applied in the database but unknown to this binary");
        }
        if self.state == State::Failed {
            problems.push("DIRTY: failed half-way, repair by hand");
        }
        problems
    }
}

/// Every migration the binary or the database knows, by version.
#[derive(Debug, Clone, Default)]
pub struct StatusReport {
    /// One entry per version, oldest first.
    pub migrations: Vec<MigrationStatus>,
}

impl StatusReport {
    /// Builds the report from the embedded migrations and the database's history.
    pub fn new(known: &[&Migration], history: &[AppliedRow]) -> Self {
        let mut by_version: BTreeMap<i64, MigrationStatus> = BTreeMap::new();
        for m in known {
            by_version.insert(
                m.version,
                MigrationStatus {
                    version: m.version,
                    description: m.description.to_string(),
                    state: State::Pending,
                    applied_at: None,
                    checksum_mismatch: false,
                    missing_from_binary: false,
                },
            );
        }
        for row in history {
            let state = if row.success {
                State::Applied
            } else {
                State::Failed
            };
            match by_version.get_mut(&row.version) {
                Some(entry) => {
                    let binary = known.iter().find(|m| m.version == row.version);
                    entry.state = state;
                    entry.applied_at = Some(row.installed_on);
                    entry.checksum_mismatch = binary.is_some_and(|m| *m.checksum != *row.checksum);
                }
                None => {
                    by_version.insert(
                        row.version,
                        MigrationStatus {
                            version: row.version,
                            description: row.description.clone(),
                            state,
                            applied_at: Some(row.installed_on),
                            checksum_mismatch: false,
                            missing_from_binary: true,
                        },
                    );
                }
            }
        }
        Self {
            migrations: by_version.into_values().collect(),
        }
    }

    /// How many are applied.
    pub fn applied(&self) -> usize {
        self.count(State::Applied)
    }

    /// How many are pending.
    pub fn pending(&self) -> usize {
        self.count(State::Pending)
    }

    /// How many have at least one problem (checksum, missing, failed).
    pub fn with_problems(&self) -> usize {
        self.migrations
            .iter()
            .filter(|m| !m.problems().is_empty())
            .count()
    }

    fn count(&self, state: State) -> usize {
        self.migrations.iter().filter(|m| m.state == state).count()
    }
}

/// Compares the embedded migrations with the database. Read-only: a database that was never
/// migrated shows everything pending and stays untouched.
pub async fn status(conn: &mut PgConnection) -> Result<StatusReport> {
    let history = history(conn).await?;
    let known: Vec<&Migration> = known().collect();
    Ok(StatusReport::new(&known, &history))
}

/// A migration that was applied or reverted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Its version.
    pub version: i64,
    /// Its description.
    pub description: String,
    /// How long its SQL took.
    pub elapsed: Duration,
}

/// Refuses to work on a database that has migrations this binary does not know (sqlx would
/// refuse too, with a less helpful message).
fn check_no_unknown(history: &[AppliedRow]) -> Result<()> {
    let known: HashSet<i64> = known().map(|m| m.version).collect();
    let unknown: Vec<String> = history
        .iter()
        .filter(|row| !known.contains(&row.version))
        .map(|row| format_version(row.version))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(Error::UnknownAppliedMigrations {
            versions: unknown.join(", "),
        })
    }
}

/// Applies every pending migration, oldest first, calling `on_applied` after each. Returns
/// the applied steps (empty when the database was up to date).
///
/// Fails before touching anything when an applied migration was modified or is unknown to
/// this binary.
pub async fn migrate(
    conn: &mut PgConnection,
    mut on_applied: impl FnMut(&Step),
) -> Result<Vec<Step>> {
    let history = history(conn).await?;
    check_no_unknown(&history)?;
    let applied: HashSet<i64> = history.iter().map(|row| row.version).collect();
    let mut steps = Vec::new();
    for migration in known().filter(|m| !applied.contains(&m.version)) {
        let start = Instant::now();
        // `run_to` applies every pending migration up to this version: just this one, as the
        // earlier ones were applied by the previous iterations. It also locks the database
        // against concurrent migrators and checks the applied migrations' checksums.
        MIGRATOR
            .run_to(migration.version, &mut *conn)
            .await
            .map_err(Error::Migrate)?;
        let step = Step {
            version: migration.version,
            description: migration.description.to_string(),
            elapsed: start.elapsed(),
        };
        on_applied(&step);
        steps.push(step);
    }
    Ok(steps)
}

/// How far [`revert`] goes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevertTarget {
    /// Only the most recently applied migration.
    Latest,
    /// Every applied migration: an empty schema.
    All,
    /// Every applied migration newer than this version; this one stays applied. `To(0)` is
    /// the same as `All`.
    To(i64),
}

/// Reverts applied migrations newest first, as far as `target` says, calling `on_reverted`
/// after each. Returns the reverted steps (empty when there was nothing to revert).
///
/// Uses sqlx's `Migrator::undo(conn, target)`, one migration at a time so that progress is
/// reported as it happens.
pub async fn revert(
    conn: &mut PgConnection,
    target: RevertTarget,
    mut on_reverted: impl FnMut(&Step),
) -> Result<Vec<Step>> {
    if let RevertTarget::To(version) = target {
        if version != 0 && !known().any(|m| m.version == version) {
            return Err(Error::UnknownVersion { version });
        }
    }
    let history = history(conn).await?;
    check_no_unknown(&history)?;

    // Newest first.
    let mut to_revert: Vec<i64> = history.iter().rev().map(|row| row.version).collect();
    match target {
        RevertTarget::Latest => to_revert.truncate(1),
        RevertTarget::All => {}
        RevertTarget::To(version) => to_revert.retain(|v| *v > version),
    }

    // Check every down migration exists before reverting anything.
    let mut downs = Vec::with_capacity(to_revert.len());
    for version in to_revert {
        match down_of(version) {
            Some(down) => downs.push(down),
            None => {
                return Err(Error::Irreversible {
                    version,
                    description: known()
                        .find(|m| m.version == version)
                        .map(|m| m.description.to_string())
                        .unwrap_or_default(),
                })
            }
        }
    }

    let mut steps = Vec::new();
    for down in downs {
        let start = Instant::now();
        // `undo(target)` reverts every applied migration newer than `target`; everything
        // newer than this one is already reverted, so this reverts exactly this one.
        MIGRATOR
            .undo(&mut *conn, down.version - 1)
            .await
            .map_err(Error::Revert)?;
        let step = Step {
            version: down.version,
            description: down.description.to_string(),
            elapsed: start.elapsed(),
        };
        on_reverted(&step);
        steps.push(step);
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::migrate::MigrationType;
    use sqlx::SqlSafeStr;

    fn migration(version: i64, description: &'static str, sql: &'static str) -> Migration {
        Migration::new(
            version,
            description.into(),
            MigrationType::ReversibleUp,
            sql.into_sql_str(),
            false,
        )
    }

    fn applied(m: &Migration) -> AppliedRow {
        AppliedRow {
            version: m.version,
            description: m.description.to_string(),
            installed_on: DateTime::<Utc>::UNIX_EPOCH,
            success: true,
            checksum: m.checksum.to_vec(),
        }
    }

    #[test]
    fn report_marks_applied_pending_modified_and_unknown() {
        let users = migration(1, "users", "CREATE TABLE users ();");
        let events = migration(2, "events", "CREATE TABLE events ();");
        let tickets = migration(3, "tickets", "CREATE TABLE tickets ();");
        let mut modified = applied(&events);
        modified.checksum = vec![0; 48];
        let mut from_the_future = applied(&migration(9, "future", "SELECT 1;"));
        from_the_future.success = true;

        let report = StatusReport::new(
            &[&users, &events, &tickets],
            &[applied(&users), modified, from_the_future],
        );

        let states: Vec<(i64, State, bool, bool)> = report
            .migrations
            .iter()
            .map(|m| {
                (
                    m.version,
                    m.state,
                    m.checksum_mismatch,
                    m.missing_from_binary,
                )
            })
            .collect();
        assert_eq!(
            states,
            vec![
                (1, State::Applied, false, false),
                (2, State::Applied, true, false),
                (3, State::Pending, false, false),
                (9, State::Applied, false, true),
            ]
        );
        assert_eq!(report.applied(), 3);
        assert_eq!(report.pending(), 1);
        assert_eq!(report.with_problems(), 2);
    }

    #[test]
    fn versions_print_like_file_names() {
        assert_eq!(format_version(7), "0007");
        assert_eq!(format_version(20250101120000), "20250101120000");
    }

    #[test]
    fn every_embedded_migration_is_reversible() {
        for m in known() {
            assert!(
                down_of(m.version).is_some(),
                "migration {} has no .down.sql",
                m.version
            );
        }
    }
}
