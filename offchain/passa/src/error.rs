//! The errors of the `passa` library.
//!
//! Each variant's message is written for the person at the terminal: it says what failed, on
//! which database (URL with the password masked) and, where there is one, what to do next.
//! Underlying driver errors are kept as `source()`, so the binary can print the whole chain on
//! one line. No message ever contains a password.

use std::time::Duration;

use sqlx::migrate::MigrateError;

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a `passa` command.
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

    /// The seed script failed; its transaction was rolled back, nothing was written.
    #[error("seeding failed, nothing was written")]
    Seed(#[source] sqlx::Error),

    /// A network setting is unusable (mainnet without RPC URL, malformed URL).
    #[error(transparent)]
    Network(#[from] crate::network::NetworkError),

    /// No usable signing key.
    #[error(transparent)]
    Key(#[from] crate::keys::KeyError),

    /// The Stellar network refused or could not be reached.
    #[error(transparent)]
    Rpc(#[from] crate::rpc::RpcError),

    /// `passa deploy` stopped.
    #[error(transparent)]
    Deploy(#[from] crate::deploy::DeployError),

    /// A `passa contracts …` command failed.
    #[error(transparent)]
    Contracts(#[from] crate::contracts::ContractsError),

    /// `passa demo` stopped.
    #[error(transparent)]
    Demo(#[from] crate::demo::DemoError),

    /// The metrics endpoint could not listen.
    #[error("cannot serve metrics on {0}")]
    Metrics(std::net::SocketAddr, #[source] std::io::Error),

    /// `passa verify` could not read one side.
    #[error(transparent)]
    Verify(#[from] crate::verify::VerifyError),

    /// `passa verify` found differences (listed on stdout).
    #[error("the mirror differs from the chain in {0} place(s) (listed above)")]
    Drift(usize),

    /// `scripts/build-contracts.sh` could not be run or failed.
    #[error("building the contracts failed: {0}")]
    Build(String),

    /// The local network failed to start or stopped.
    #[cfg(feature = "devnet")]
    #[error("devnet")]
    Devnet(#[from] passa_devnet::Error),

    /// A benchmark could not run to its end.
    #[cfg(feature = "devnet")]
    #[error("benchmark: {0}")]
    Bench(String),

    /// Waiting for Ctrl-C failed (no signal handler could be installed).
    #[cfg(feature = "devnet")]
    #[error("cannot wait for Ctrl-C")]
    Signal(#[source] std::io::Error),

    /// `passa sync` stopped.
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
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
