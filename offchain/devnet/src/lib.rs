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
//! - [`server`] — a whole devnet on a loopback address;
//! - [`mod@bench`] — re-runnable benchmarks (`passa bench devnet`).
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
//! # What is served
//!
//! JSON-RPC 2.0 on `POST /` (single requests and batches), with the Go `stellar-rpc`
//! server's shapes, limits and error codes:
//!
//! - getHealth (with `oldestLedger` and `ledgerRetentionWindow`), getNetwork (with the
//!   friendbot's URL), getVersionInfo, getLatestLedger (with `headerXdr`), getFeeStats;
//! - getLedgerEntries (up to 200 keys; contract entries with `liveUntilLedgerSeq`, archived
//!   persistent ones still returned with their past TTL, expired temporary ones gone; `Ttl`
//!   keys refused as the Go server refuses them);
//! - getLedgers (cursor pages of up to 200, header and a `LedgerCloseMeta` V2 per ledger);
//! - simulateTransaction for InvokeHostFunction (results, auth in `record`,
//!   `record_allow_nonroot` and `enforce` modes, `transactionData`, `minResourceFee`,
//!   diagnostic `events`, `cost`, `stateChanges`), ExtendFootprintTTL and RestoreFootprint.
//!   As in the Go server at protocol 23 and later, an invocation that reads archived
//!   persistent entries restores them itself (`archivedSorobanEntries` in its
//!   `transactionData`, no preamble); an extension of archived entries returns the restore
//!   it needs as `restorePreamble`. Failures are in the result's `error`;
//! - sendTransaction: PENDING, DUPLICATE, TRY_AGAIN_LATER (one queued transaction per
//!   account, as stellar-core's queue), ERROR with `errorResultXdr` (txBAD_AUTH, txBAD_SEQ,
//!   txINSUFFICIENT_FEE, txINSUFFICIENT_BALANCE, txNO_ACCOUNT, txSOROBAN_INVALID,
//!   txMALFORMED, txTOO_EARLY/LATE, txNOT_SUPPORTED, …); a malformed envelope is -32602;
//! - getTransaction (status, envelope, result and V4 meta XDR, ledger, createdAt,
//!   applicationOrder, contract and diagnostic events), getTransactions (the same in chain
//!   order, by startLedger or TOID cursor, pages of up to 200);
//! - getEvents (type, contract id and topic filters with `*` and `**`, startLedger inclusive,
//!   endLedger exclusive, cursor pages, limit up to 10 000, at most 10 000 ledgers scanned per
//!   call, a cursor past the scanned range on short pages so that empty pages move on);
//! - history (headers, transactions, events) within the Go server's default retention
//!   window, [`node::RETENTION_WINDOW`] = 120 960 ledgers; the ledger state is all kept.
//!
//! Devnet-only methods: `devnet_closeLedger` closes a ledger now; `devnet_advanceLedgers
//! {"ledgers": N}` closes up to 5 000 000 empty ledgers at once, so that TTLs run out (the
//! default TTLs are mainnet's: 120 days for persistent entries). Both answer
//! `{"sequence": latest}`.
//!
//! Friendbot on `GET|POST /friendbot?addr=G…`: a CreateAccount of 10 000 XLM signed by the
//! root account (whose seed is the network id, as in stellar-core), applied at the next close;
//! the answer (after that close) carries its `hash`, `ledger`, `envelope_xdr`, `result_xdr`
//! and `result_meta_xdr`, and getTransaction knows the hash. An existing account gets 400
//! with `createAccountAlreadyExist: account already funded to starting balance`.
//!
//! Ledger: transactions applied in queue order at each close after a fee phase; ed25519
//! signatures (master key and signers, medium threshold) against the network passphrase;
//! sequence numbers; fees from the source's lumens with the refundable part refunded;
//! InvokeHostFunction (upload, create with constructor, invoke, auto-restore),
//! ExtendFootprintTTL, RestoreFootprint; classic CreateAccount and native Payment (up to 100
//! per transaction, all or nothing, CAP-67 `transfer` events); the native asset's contract;
//! temporary entries expire and are evicted, persistent ones archive. State in `--state-dir`
//! is saved at most every 5 s while ledgers change and at a clean stop, and reloaded on
//! start. [`mod@bench`] measures throughput through the port and memory at size.
//!
//! # Not served
//!
//! `xdrFormat: "json"`; fee-bump and v0 envelopes (txNOT_SUPPORTED); other
//! classic operations (trustlines, offers, …: txNOT_SUPPORTED); operation sources other than
//! the transaction's; CAP-21 preconditions beyond time and ledger bounds; the friendbot for
//! contract (`C…`) addresses; fee events in the meta; the `Content-Type` check (any body is
//! read as JSON). Archived entries are never evicted to a hot archive: they stay in the state
//! with their past TTL until restored.
pub mod accounts;
pub mod apply;
pub mod bench;
pub mod classic;
pub mod error;
pub mod events;
pub mod genesis;
pub mod ledger;
pub mod node;
mod outcome;
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
