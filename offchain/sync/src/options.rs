//! How a sync runs, what it did, and who watches it.

use std::time::Duration;

/// How `passa sync` runs.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Stop once caught up with the latest ledger instead of following.
    pub once: bool,
    /// Start reading at this ledger instead of the stored cursor (backfill, or skipping a gap
    /// the server no longer has). Events already stored are not applied twice; the cursor
    /// still only moves forward.
    pub from_ledger: Option<u32>,
    /// Events per `getEvents` page (the RPC allows up to 10 000).
    pub page_size: u32,
    /// How long to wait for new ledgers once caught up.
    pub poll_interval: Duration,
    /// How often open parked events are retried while following.
    pub retry_parked_every: Duration,
    /// RPC attempts per request before giving up (with backoff from 250 ms to 30 s).
    pub rpc_attempts: u32,
    /// Ask getTransaction for each new transaction's source and fee (one request per
    /// transaction) to fill `transactions.from_address` and `gas_fee`.
    pub transaction_details: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            once: false,
            from_ledger: None,
            page_size: 5_000,
            poll_interval: Duration::from_millis(250),
            retry_parked_every: Duration::from_secs(30),
            rpc_attempts: 8,
            transaction_details: true,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// `getEvents` pages read.
    pub pages: u64,
    /// Events the server returned.
    pub events_seen: u64,
    /// Of those, the ones not stored before.
    pub events_new: u64,
    /// New events applied to the mirror.
    pub applied: u64,
    /// New events with nothing to mirror.
    pub ignored: u64,
    /// New events parked.
    pub parked: u64,
    /// Parked events (of this or earlier runs) applied on a retry.
    pub unparked: u64,
    /// Every ledger up to this one is applied.
    pub last_ledger: u32,
    /// The stored cursor.
    pub cursor: Option<String>,
}

/// Receives progress as the sync goes: a progress bar while catching up, metrics, a log.
pub trait Observer: Send + Sync {
    /// A page was applied (the report so far); `latest` is the server's latest ledger, so
    /// `latest - report.last_ledger` is how far behind the mirror is.
    fn page(&self, _report: &SyncReport, _latest: u32) {}
    /// The mirror reached the latest ledger (with `--once`, just before returning).
    fn caught_up(&self, _report: &SyncReport) {}
}

/// No progress display.
pub struct Quiet;

impl Observer for Quiet {}
