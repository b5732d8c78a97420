//! `passa-db`: the PostgreSQL side of Passa.
//!
//! - [`config`]: the database URL and connect timeout, and password masking for anything
//!   shown to a human;
//! - [`connect`]: connecting under a hard timeout, creating the database;
//! - [`migrations`]: the schema migrations of `migrations/` embedded at compile time (status,
//!   migrate, revert);
//! - [`seed`]: the reference data;
//! - [`registry`]: reading the contract registry (`smart_contracts`), which every side needs
//!   (its writes belong to `passa-deploy`);
//! - [`archive`]: rows archived to checksummed COPY files and loaded back;
//! - [`backup`]: backups with pgBackRest (WAL archiving, point-in-time restores) and the
//!   restore drill;
//! - [`health`]: `passa db health`, the DBA's first look (statements, indexes, bloat,
//!   connections, maintenance lag, partitions, replication);
//! - [`topology`]: what a connection reaches (primary, replica, a pooler) and who may use which;
//! - [`failpoint`]: crash points for the crash-safety tests of the database writers;
//! - [`error`]: the error type.
//!
//! Nothing here talks to a Stellar network.

pub mod archive;
pub mod backup;
pub mod config;
pub mod connect;
pub mod error;
pub mod failpoint;
pub mod health;
pub mod migrations;
pub mod registry;
pub mod seed;
pub mod topology;

pub use config::DbConfig;
pub use connect::{close, connect, connect_options, create_database, CreateOutcome};
pub use error::{ConnectFailure, Error, Result};
