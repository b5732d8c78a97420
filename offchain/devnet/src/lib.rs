//! `passa devnet`: a local Stellar network in one process.
//!
//! An embedded ledger executes real wasm with soroban-env-host, preflights with
//! soroban-simulation, and speaks the Stellar RPC JSON-RPC API.
//!
//! - [`genesis`] — the network's configuration entries, the root account, the native asset;
//! - [`ledger`] — entries with their TTLs, closed ledger headers, snapshots for the host;
//! - [`accounts`] — classic accounts and the friendbot's funding;
//! - [`tx`] — envelope validation (signatures, sequence numbers, fees) and result codes;
//! - [`apply`] — InvokeHostFunction, ExtendFootprintTTL, RestoreFootprint, fees, meta;
//! - [`classic`] — CreateAccount and lumen Payment (the friendbot's transactions);
//! - [`simulate`] — preflight;
//! - [`events`] — the event store with RPC ids and cursors;
//! - [`node`] — the queue, ledger close and history, on one thread;
//! - [`persist`] — the state on disk across restarts;
//! - [`service`] — that thread, its ledger-close timer and a handle to reach it;
//! - [`rpc`] — the JSON-RPC API and the friendbot over HTTP;
//! - [`server`] — a whole devnet on a loopback address.
//!
//! # Use
//!
//! `passa devnet [--listen 127.0.0.1:8000] [--state-dir DIR] [--ledger-close-ms 1000]
//! [--network-passphrase P]`, or in process:
//!
//! ```no_run
//! # async fn demo() -> passa_devnet::Result<()> {
//! let devnet = passa_devnet::Devnet::start(passa_devnet::DevnetOptions {
//!     listen: "127.0.0.1:0".parse().expect("an address"),
//!     ..Default::default()
//! })
//! .await?;
//! println!("{}", devnet.rpc_url()); // give this to stellar-cli, the JS SDK, …
//! devnet.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! JSON-RPC on `POST /`: getHealth, getNetwork, getVersionInfo, getLatestLedger,
//! getLedgerEntries, getLedgers, getFeeStats, simulateTransaction, sendTransaction, getTransaction,
//! getEvents, with the Go server's shapes, limits and error codes; `devnet_closeLedger`
//! closes a ledger at once (tests, scripts). Friendbot on `GET|POST /friendbot?addr=G…`,
//! answering once the account exists. Not served (yet): getTransactions,
//! `xdrFormat: "json"`, classic operations, fee-bump envelopes.
pub mod accounts;
pub mod apply;
pub mod bench;
pub mod classic;
pub mod error;
pub mod events;
pub mod genesis;
pub mod ledger;
pub mod node;
pub mod persist;
pub mod rpc;
pub mod server;
pub mod service;
pub mod simulate;
pub mod tx;

pub use error::{Error, Result};
pub use server::{Devnet, DevnetOptions};

#[cfg(test)]
mod tests;
