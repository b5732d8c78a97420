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
//! - [`simulate`] — preflight;
//! - [`events`] — the event store with RPC ids and cursors;
//! - [`node`] — the queue, ledger close and history, on one thread;
//! - [`persist`] — the state on disk across restarts;
//! - [`service`] — that thread, its ledger-close timer and a handle to reach it;
//! - [`rpc`] — the JSON-RPC API and the friendbot over HTTP;
//! - [`server`] — a whole devnet on a loopback address.
pub mod accounts;
pub mod apply;
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
