//! The off-chain side of the Passa chain layer.
//!
//! `passa` keeps a PostgreSQL database that mirrors the Passa contracts on Stellar. This crate
//! is the library behind the `passa` binary:
//!
//! - [`config`]: settings from flags and environment (database URL, timeouts) and password
//!   masking for anything shown to a human;
//! - [`db`]: connecting, creating the database, migrations (status, migrate, revert) and seed
//!   data;
//! - [`cli`]: the command line (clap) and how results are printed;
//! - [`network`]: which Stellar network (local, testnet, mainnet), its RPC URL and passphrase;
//! - [`keys`]: signing keys from the environment, key files or stellar CLI identities;
//! - [`rpc`]: Stellar RPC — ledger entries and a transaction's life (simulate, sign, send,
//!   wait);
//! - [`registry`]: the contract registry (`smart_contracts`, `transactions`, `audit_logs`);
//! - [`deploy`]: `passa deploy`, resumable and idempotent;
//! - [`contracts`]: `passa contracts …` (list, show, pause, unpause, upgrade);
//! - [`sync`]: `passa sync`, the mirror of the contracts' events (getEvents → PostgreSQL);
//! - [`demo`]: `passa demo`, a scripted season of activity on a deployment;
//! - [`scval`]: contract values (`ScVal`) as the contracts encode them;
//! - [`verify`]: `passa verify`, the mirror compared with the contracts' state;
//! - [`metrics`]: the sync's Prometheus endpoint and progress bar;
//! - [`bench`]: `passa bench sync`, the backfill rate next to COPY's (with the devnet);
//! - [`failpoint`]: crash points for the crash-safety tests;
//! - [`error`]: the error type, whose messages are meant to be read at a terminal.

#[cfg(feature = "devnet")]
pub mod bench;
pub mod cli;
pub mod config;
pub mod contracts;
pub mod db;
pub mod demo;
pub mod deploy;
pub mod error;
pub mod failpoint;
pub mod keys;
pub mod metrics;
pub mod network;
pub mod registry;
pub mod rpc;
pub mod scval;
pub mod sync;
pub mod verify;

pub use error::{ConnectFailure, Error, Result};
