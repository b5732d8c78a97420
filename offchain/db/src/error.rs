//! The errors of the database side.
//!
//! Each variant's message is written for the person at the terminal: it says what failed, on
//! which database (URL with the password masked) and, where there is one, what to do next.
//! Underlying driver errors are kept as `source()`, so the binary can print the whole chain on
//! one line. No message ever contains a password.

use std::time::Duration;

use sqlx::migrate::MigrateError;

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong connecting to, creating, migrating or seeding the database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database URL is not a PostgreSQL URL (does not parse, wrong scheme, bad parameter).
    #[error("invalid database URL \"{url}\": {reason}")]
    InvalidUrl {
        /// The URL, password masked.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// No connection could be established (server down, wrong host or port, authentication,
    /// missing database, timeout).
    #[error("cannot connect to PostgreSQL at {url}: {reason}")]
    Connect {
        /// The URL, password masked.
        url: String,
        /// Why, classified.
        reason: ConnectFailure,
    },

    /// The server was reachable but refused to create the database (e.g. no CREATEDB right).
    #[error("cannot create database \"{database}\" at {url}")]
    CreateDatabase {
        /// Name of the database.
        database: String,
        /// The URL, password masked.
        url: String,
        /// The server's answer.
        #[source]
        source: sqlx::Error,
    },

    /// Reading `_sqlx_migrations` failed.
    #[error("cannot read the migration history (table _sqlx_migrations)")]
    History(#[source] sqlx::Error),

    /// The database has migrations applied that this binary does not contain (it was migrated
    /// by a newer `passa`, or a migration file was deleted).
    #[error(
        "the database has migration(s) {versions} applied that this binary does not know; \
         use the `passa` that applied them (see `passa db status`)"
    )]
    UnknownAppliedMigrations {
        /// The versions, formatted like `0022, 0023`.
        versions: String,
    },

    /// Applying migrations failed. Each migration runs in its own transaction: the failing one
    /// was rolled back, the ones before it stay applied.
    #[error("cannot apply migrations")]
    Migrate(#[source] MigrateError),

    /// Reverting migrations failed. Each revert runs in its own transaction: the failing one
    /// was rolled back, the ones reverted before it stay reverted.
    #[error("cannot revert migrations")]
    Revert(#[source] MigrateError),

    /// `passa db revert --to V` with a V that no migration has.
    #[error("no migration has version {version}; `passa db status` lists the versions")]
    UnknownVersion {
        /// The version asked for.
        version: i64,
    },

    /// The migration to revert has no `.down.sql`.
    #[error("migration {version:04} ({description}) has no down migration and cannot be reverted")]
    Irreversible {
        /// Its version.
        version: i64,
        /// Its description.
        description: String,
    },

    /// `passa db seed` on a database whose schema is not up to date.
    #[error("{pending} migration(s) pending; run `passa db migrate` before `passa db seed`")]
    SeedNeedsMigrations {
        /// How many migrations are not applied.
        pending: usize,
    },

    /// A read-only report's query failed.
    #[error("reading the server's statistics")]
    Query(#[source] sqlx::Error),

    /// The seed script failed; its transaction was rolled back, nothing was written.
    #[error("seeding failed, nothing was written")]
    Seed(#[source] sqlx::Error),
}

/// Why a connection to PostgreSQL could not be established.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectFailure {
    /// Nothing listens on that host and port.
    #[error("connection refused (is PostgreSQL running on that host and port?)")]
    Refused,
    /// The host name does not resolve.
    #[error("unknown host \"{host}\" ({detail})")]
    UnknownHost {
        /// The host name.
        host: String,
        /// The resolver's message.
        detail: String,
    },
    /// No answer within the connect timeout.
    #[error("no answer within {} s (change it with --connect-timeout)", .0.as_secs_f64())]
    Timeout(Duration),
    /// The server rejected the user or the password.
    #[error("authentication failed: {0}")]
    Authentication(String),
    /// The server is reachable but the database does not exist.
    #[error("database \"{0}\" does not exist (create it with `passa db create`)")]
    DatabaseMissing(String),
    /// Anything else (TLS, protocol, network errors), with the driver's message, scrubbed of
    /// passwords.
    #[error("{0}")]
    Other(String),
}
