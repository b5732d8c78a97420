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
//! - [`error`]: the error type, whose messages are meant to be read at a terminal.

pub mod cli;
pub mod config;
pub mod db;
pub mod error;

pub use error::{ConnectFailure, Error, Result};
