//! `passa sync`: follows the registered contracts of one network through Stellar RPC
//! `getEvents` and mirrors their events into PostgreSQL (DESIGN §4.2).
//!
//! - The contracts are those of `smart_contracts` on the network, active or paused (at most 25:
//!   five filters of five contract ids, one request).
//! - Paging is cursor-driven: the first request of a run without a stored cursor names a
//!   ledger range (`startLedger`, `endLedger` exclusive, at most 10 000 ledgers); every next one
//!   continues after the cursor the server returned, through empty pages, until the latest
//!   ledger.
//! - Each page is one database transaction: the raw events (`chain_events`, unique by RPC id;
//!   one already stored is skipped), what each new one changes in the mirror, the
//!   `parked_events` of those that cannot be applied, and the cursor (`sync_cursors`, forward
//!   only). After a crash at any point the next run resumes with nothing lost or doubled.
//! - An event that cannot be applied — unknown name, malformed data, a reference to an event,
//!   ticket or organizer the mirror lacks, a row the database refuses — is parked with its
//!   reason, never dropped. Later events on the same subject wait behind it. Parked events are
//!   retried at the start of a run, after each page that applied something (those parked
//!   before it), and every [`SyncOptions::retry_parked_every`] while following.
//! - A cursor older than the server's retention is an error that says how to backfill.
//! - Transient RPC failures are retried with exponential backoff.
//! - A PostgreSQL advisory lock per network, held on the connection that applies, makes sure
//!   two `passa sync` never both apply: the second waits, then takes over.
//! - A contract registered after the cursor passed its deployment (a second deployment, a
//!   reactivated one) is backfilled up to the cursor first (`sync_contracts` records which
//!   contracts are covered); while following, the registry is re-read whenever caught up.
//! - Crash points for tests (`PASSA_FAILPOINT`): `sync.before_commit` (a page written, not
//!   committed) and `sync.after_commit` (committed, the next request not made).

mod apply;
#[cfg(test)]
mod apply_tests;
pub mod decode;
mod purchases;
mod raw;
mod source;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::{Acquire, PgConnection};
use stellar_xdr::{self as xdr, Limits, ReadXdr};
use uuid::Uuid;

use crate::network::NetworkName;
use crate::registry::{self, ContractKind};
use crate::rpc::Rpc;
use apply::{Origin, Outcome, TxInfo, TxRow};
use decode::Decoded;
use source::{Incoming, Page, ReadAhead, Source};

/// At most this many ledgers per `getEvents` range (the RPC's own limit).
pub const MAX_LEDGER_RANGE: u32 = 10_000;
/// At most this many contract ids per filter, and filters per request (the RPC's limits).
pub const MAX_IDS_PER_FILTER: usize = 5;
const MAX_FILTERS: usize = 5;
const XDR_DEPTH: u32 = 500;

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

/// Why `passa sync` stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// No contract of the network is registered as active or paused.
    #[error(
        "no active contracts are registered for {network}; deploy them first \
         (`passa deploy --network {network}`)"
    )]
    NoContracts {
        /// The network.
        network: NetworkName,
    },
    /// More contracts than one getEvents request can follow.
    #[error(
        "{count} contracts are registered for {network}; one sync follows at most {max} \
         (deprecate the ones no longer in use: `passa contracts …`)"
    )]
    TooManyContracts {
        /// The network.
        network: NetworkName,
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The next ledger to read is older than what the RPC server keeps.
    #[error(
        "the mirror of {network} needs events from ledger {next_ledger} on, but the RPC server \
         only keeps ledgers {oldest}–{latest}: ledgers {next_ledger}–{last_missing} are gone \
         from it. Backfill them from an RPC server with a longer retention \
         (`passa sync --network {network} --rpc-url <URL> --from-ledger {next_ledger}`), or \
         accept the gap and continue from the oldest ledger this server has \
         (`passa sync --network {network} --from-ledger {oldest}`)"
    )]
    CursorTooOld {
        /// The network.
        network: NetworkName,
        /// The first ledger not yet applied.
        next_ledger: u32,
        /// The last ledger the server lacks.
        last_missing: u32,
        /// The server's oldest ledger.
        oldest: u32,
        /// The server's latest ledger.
        latest: u32,
    },
    /// `--from-ledger` names a ledger the server has not closed yet.
    #[error("--from-ledger {ledger} is past the latest ledger ({latest}) of {network}")]
    FromLedgerAhead {
        /// The network.
        network: NetworkName,
        /// The ledger asked for.
        ledger: u32,
        /// The server's latest.
        latest: u32,
    },
    /// The RPC server failed, also after retries.
    #[error("{method} failed after {attempts} attempt(s): {detail}")]
    Rpc {
        /// The JSON-RPC method.
        method: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The last error.
        detail: String,
    },
    /// The server sent something unreadable.
    #[error("the RPC server sent an unreadable {what}: {detail}")]
    BadResponse {
        /// What.
        what: &'static str,
        /// Why.
        detail: String,
    },
    /// A database statement failed.
    #[error("sync: {what}")]
    Database {
        /// What was being done.
        what: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
}

fn db(what: &'static str) -> impl FnOnce(sqlx::Error) -> SyncError {
    move |source| SyncError::Database { what, source }
}

/// One parked event, for `passa sync parked`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ParkedEvent {
    /// The RPC event id.
    pub event_id: String,
    /// The network.
    pub network: String,
    /// The emitting contract.
    pub contract_address: String,
    /// The event's name (first topic), when it is a symbol.
    pub name: Option<String>,
    /// Its ledger.
    pub ledger: i64,
    /// Its transaction.
    pub transaction_hash: String,
    /// What it is about (`event:<uuid>`, `ticket:<C…>:<id>`, `organizer:<G…>`, …).
    pub subject: String,
    /// unknown_topic, malformed, unknown_event, unknown_ticket, unknown_organizer,
    /// unknown_contribution, mismatch, refused, waiting.
    pub reason_code: String,
    /// The reason in words.
    pub reason: String,
    /// How many times it was tried.
    pub attempts: i32,
    /// First try.
    pub first_attempt_at: chrono::DateTime<chrono::Utc>,
    /// Latest try.
    pub last_attempt_at: chrono::DateTime<chrono::Utc>,
    /// When it was finally applied.
    pub resolved_at: Option<chrono::DateTime<chrono::Utc>>,
}

const LIST_PARKED: &str = "
SELECT p.event_id, p.network, c.contract_address, c.name, c.ledger, c.transaction_hash::text,
       p.subject, p.reason_code, p.reason, p.attempts, p.first_attempt_at, p.last_attempt_at,
       p.resolved_at
  FROM parked_events p
  JOIN chain_events c ON c.network = p.network AND c.event_id = p.event_id
 WHERE p.network = $1 AND ($2 OR p.resolved_at IS NULL)
 ORDER BY p.event_id";

/// The parked events of `network`, oldest first; the resolved ones too when `all`.
///
/// # Errors
/// The database's.
pub async fn parked(
    conn: &mut PgConnection,
    network: NetworkName,
    all: bool,
) -> Result<Vec<ParkedEvent>, SyncError> {
    sqlx::query_as(LIST_PARKED)
        .bind(network.as_str())
        .bind(all)
        .fetch_all(conn)
        .await
        .map_err(db("listing parked events"))
}

const TRY_LOCK: &str = "SELECT pg_try_advisory_lock(hashtextextended($1, 0))";
const LOCK: &str = "SELECT pg_advisory_lock(hashtextextended($1, 0))";
const UNLOCK: &str = "SELECT pg_advisory_unlock(hashtextextended($1, 0))";

const SELECT_CURSOR: &str = "SELECT cursor, last_ledger FROM sync_cursors WHERE network = $1";

const CONTRACT_LEDGERS: &str = "
SELECT c.contract_id, t.block_number, s.smart_contract_id IS NOT NULL
  FROM smart_contracts c
  LEFT JOIN transactions t ON t.transaction_id = c.deployment_transaction_id
  LEFT JOIN sync_contracts s ON s.smart_contract_id = c.contract_id
 WHERE c.network = $1";

const MARK_COVERED: &str = "
INSERT INTO sync_contracts (smart_contract_id, network, followed_from_ledger)
SELECT unnest($1::uuid[]), $2, $3
ON CONFLICT (smart_contract_id) DO NOTHING";

const SAVE_CURSOR: &str = "
INSERT INTO sync_cursors (network, cursor, last_ledger, last_ledger_closed_at)
VALUES ($1, $2, $3, $4::timestamptz)
ON CONFLICT (network) DO UPDATE
   SET cursor = EXCLUDED.cursor, last_ledger = EXCLUDED.last_ledger,
       last_ledger_closed_at = COALESCE(EXCLUDED.last_ledger_closed_at,
                                        sync_cursors.last_ledger_closed_at)
 WHERE sync_cursors.cursor < EXCLUDED.cursor
   AND sync_cursors.last_ledger <= EXCLUDED.last_ledger";

/// Events past their end are completed (the contract derives it from `now >= end` and emits
/// nothing): done when a page reaches the latest ledger, whose close time is known.
const COMPLETE_EVENTS: &str = "
WITH done AS (
    UPDATE events SET status = 'completed'
     WHERE smart_contract_id = ANY($1) AND onchain_status IN ('published', 'postponed')
       AND status IN ('published', 'postponed') AND end_datetime <= to_timestamp($2::float8)
    RETURNING event_id, organizer_user_id
)
INSERT INTO audit_logs (user_id, action, resource_type, resource_id, new_values, ledger, metadata)
SELECT organizer_user_id, 'chain.event_completed', 'event', event_id::text,
       jsonb_build_object('status', 'completed'), $3, jsonb_build_object('source', 'passa sync')
  FROM done";

const DETAILED_TRANSACTIONS: &str = "
SELECT transaction_hash::text FROM transactions
 WHERE transaction_hash = ANY($1::char(64)[]) AND from_address IS NOT NULL AND gas_fee IS NOT NULL";

const COMPLETE_TRANSACTION: &str = "
UPDATE transactions
   SET from_address = COALESCE(from_address, $2), gas_fee = COALESCE(gas_fee, $3::numeric / 10000000)
 WHERE transaction_hash = $1 AND (from_address IS NULL OR gas_fee IS NULL)";

const SET_OUTCOME: &str = "
UPDATE chain_events SET outcome = $3, applied_at = now() WHERE network = $1 AND event_id = $2";

const SET_PARKED: &str = "
UPDATE chain_events SET outcome = 'parked', applied_at = NULL
 WHERE network = $1 AND event_id = $2";

const WAITING_BEHIND: &str = "
SELECT event_id FROM parked_events
 WHERE network = $1 AND resolved_at IS NULL AND subject = ANY($2) AND event_id < $3
 ORDER BY event_id LIMIT 1";

const INSERT_PARKED: &str = "
INSERT INTO parked_events (network, event_id, subject, reason_code, reason)
VALUES ($1, $2, $3, $4, $5)";

const OPEN_PARKED: &str = "
SELECT c.event_id, c.smart_contract_id, c.contract_address, c.ledger,
       c.ledger_closed_at::text,
       c.transaction_hash::text, c.topics_xdr, c.value_xdr, c.value
  FROM parked_events p
  JOIN chain_events c ON c.network = p.network AND c.event_id = p.event_id
 WHERE p.network = $1 AND p.resolved_at IS NULL AND ($2::text IS NULL OR p.event_id < $2)
 ORDER BY p.event_id
   FOR UPDATE OF p";

const RETRY_FAILED: &str = "
UPDATE parked_events
   SET attempts = attempts + 1, last_attempt_at = now(), reason_code = $3, reason = $4
 WHERE network = $1 AND event_id = $2";

const RESOLVE_PARKED: &str = "
UPDATE parked_events SET attempts = attempts + 1, last_attempt_at = now(), resolved_at = now()
 WHERE network = $1 AND event_id = $2";

/// New events after which the mirror's tables are analyzed first (then each time the events
/// of the run double).
const ANALYZE_EVERY: u64 = 10_000;

const SMALL_SAMPLE: &str = "SET LOCAL default_statistics_target = 10";

/// The tables a page writes and then looks rows up in. (Without ownership PostgreSQL skips a
/// table with a warning.)
const ANALYZE: &str = "
ANALYZE chain_events, parked_events, transactions, tickets, ticket_transfers, attribution, events";

/// A page's commit does not wait for its WAL to reach the disk. Safe for this mirror: the
/// cursor commits with the rows, so a commit a server crash loses takes its cursor move with
/// it and the page is read again from the RPC (never half of it). It saves a flush per page
/// (a few milliseconds each, idle time on the one connection a backfill writes through).
const ASYNC_COMMIT: &str = "SET LOCAL synchronous_commit = off";

/// At the start of a page: whether an event is parked (one may have to wait behind it), and
/// the transaction's time.
const PAGE_START: &str = "
SELECT (SELECT count(*) FROM parked_events WHERE network = $1 AND resolved_at IS NULL),
       now()::text";

const COUNT_OPEN_PARKED: &str = "
SELECT count(*) FROM parked_events
 WHERE network = $1 AND resolved_at IS NULL AND ($2::text IS NULL OR event_id < $2)";

/// A contract being followed.
#[derive(Debug, Clone)]
struct Followed {
    id: Uuid,
    kind: ContractKind,
    /// The ledger of its deployment transaction, when recorded.
    deployed: Option<u32>,
    /// Whether the sync has followed it since that ledger (sync_contracts).
    covered: bool,
}

/// Where the next request starts.
#[derive(Debug, Clone)]
enum Position {
    /// A ledger range from this ledger.
    Ledger(u32),
    /// After this cursor; every ledger up to `complete` is read.
    Cursor { cursor: String, complete: u32 },
}

impl Position {
    /// The first ledger that may still hold unread events.
    fn next_ledger(&self) -> u32 {
        match self {
            Position::Ledger(l) => *l,
            Position::Cursor { complete, .. } => complete.saturating_add(1),
        }
    }
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

/// [`run_observed`] without an observer.
///
/// # Errors
/// As [`run_observed`].
pub async fn run(
    rpc: &Rpc,
    db_conn: &mut PgConnection,
    opts: &SyncOptions,
) -> Result<SyncReport, SyncError> {
    run_observed(rpc, db_conn, opts, &Quiet).await
}

/// Follows the network's registered contracts and mirrors their events: until caught up with
/// `opts.once`, otherwise until the future is dropped (each page is one database transaction,
/// so dropping it between or inside pages loses nothing). `db` is the connection that holds
/// the advisory lock and applies every page.
///
/// # Errors
/// [`SyncError`]: no contracts, a cursor the server no longer covers, the RPC failing after
/// retries, the database failing.
///
/// Dropping the future leaves the advisory lock with the connection: close it then (a
/// killed process's connection closes by itself).
pub async fn run_observed(
    rpc: &Rpc,
    db_conn: &mut PgConnection,
    opts: &SyncOptions,
    observer: &dyn Observer,
) -> Result<SyncReport, SyncError> {
    let network = rpc.network().name;
    let lock_key = format!("passa sync {network}");
    let free: bool = sqlx::query_scalar(TRY_LOCK)
        .bind(&lock_key)
        .fetch_one(&mut *db_conn)
        .await
        .map_err(db("taking the sync lock"))?;
    if !free {
        tracing::info!(%network, "another passa sync is applying; waiting for it to stop");
        sqlx::query(LOCK)
            .bind(&lock_key)
            .execute(&mut *db_conn)
            .await
            .map_err(db("waiting for the sync lock"))?;
        tracing::info!(%network, "took over the sync lock");
    }
    let result = Follower::new(rpc, opts, observer)
        .map_err(|e| SyncError::Rpc {
            method: "connect",
            attempts: 1,
            detail: e,
        })?
        .run(db_conn)
        .await;
    // A broken connection has lost the lock with it; nothing to release then.
    let _ = sqlx::query(UNLOCK)
        .bind(&lock_key)
        .execute(&mut *db_conn)
        .await;
    result
}

struct Follower<'a> {
    network: NetworkName,
    source: Arc<Source>,
    opts: &'a SyncOptions,
    observer: &'a dyn Observer,
    report: SyncReport,
    oldest: u32,
    latest: u32,
    /// `report.events_new` when the mirror's tables were last analyzed.
    analyzed_at: u64,
}

impl<'a> Follower<'a> {
    fn new(rpc: &Rpc, opts: &'a SyncOptions, observer: &'a dyn Observer) -> Result<Self, String> {
        Ok(Self {
            network: rpc.network().name,
            source: Arc::new(Source::new(rpc, opts)?),
            opts,
            observer,
            report: SyncReport::default(),
            oldest: 0,
            latest: 0,
            analyzed_at: 0,
        })
    }

    async fn run(mut self, conn: &mut PgConnection) -> Result<SyncReport, SyncError> {
        let mut contracts = self.contracts(conn).await?;
        self.health().await?;
        let (mut position, fresh) = self.start(conn, &contracts).await?;
        if fresh {
            // Read from the start: every contract is followed from there.
            self.mark_covered(conn, &contracts, position.next_ledger())
                .await?;
        } else {
            self.cover_new(conn, &contracts, &position).await?;
        }
        self.retry_parked(conn, &contracts, None).await?;
        let mut last_retry = Instant::now();
        let mut ahead: Option<ReadAhead> = None;
        loop {
            self.check_retention(&position)?;
            let page = self.read(&contracts, &position, None, ahead.take()).await?;
            let full = page.returned >= self.source.page_size() as usize;
            let cursor_ledger = cursor_ledger(&page.cursor)?;
            let complete = if full {
                cursor_ledger.saturating_sub(1)
            } else {
                cursor_ledger
            };
            let next = Position::Cursor {
                cursor: page.cursor.clone(),
                complete,
            };
            // Catching up: read the next page while this one is applied.
            if full {
                self.check_retention(&next)?;
                ahead = Some(ReadAhead::start(&self.source, &contracts, next.clone()));
            }
            let applied_before = self.report.applied;
            let closed_at = page
                .events
                .last()
                .filter(|e| e.event.ledger == complete)
                .map(|e| e.event.ledger_closed_at.clone());
            let caught_up = !full && cursor_ledger >= page.latest_ledger;
            // Caught up, the cursor's ledger is the latest, whose close time the page gives.
            let now = caught_up
                .then(|| page.latest_ledger_close_time.parse::<i64>().ok())
                .flatten()
                .map(|t| (t, complete));
            let first = page.events.first().map(|e| e.event.id.clone());
            let latest = page.latest_ledger;
            let cursor = page.cursor.clone();
            let parked_open = self
                .apply_page(conn, page, Some((&cursor, complete, closed_at.as_deref())))
                .await?;
            if let Some((time, ledger)) = now {
                self.complete_events(conn, &contracts, time, ledger).await?;
            }
            self.analyze_when_grown(conn).await?;
            self.report.pages += 1;
            self.report.last_ledger = self.report.last_ledger.max(complete);
            self.report.cursor = Some(cursor);
            position = next;
            // What this page applied may unblock events parked before it (a later event
            // cannot unblock an earlier one of the same page: each was tried after those
            // before it).
            if parked_open && self.report.applied > applied_before {
                self.retry_parked(conn, &contracts, first.as_deref())
                    .await?;
                last_retry = Instant::now();
            }
            self.observer.page(&self.report, latest);
            if caught_up {
                self.observer.caught_up(&self.report);
                if self.opts.once {
                    break;
                }
                // Contracts registered meanwhile (a new deployment) join, history first.
                let now = self.contracts(conn).await?;
                if now.keys().any(|k| !contracts.contains_key(k)) {
                    self.cover_new(conn, &now, &position).await?;
                    contracts = now;
                }
                if last_retry.elapsed() >= self.opts.retry_parked_every {
                    self.retry_parked(conn, &contracts, None).await?;
                    last_retry = Instant::now();
                }
                tokio::time::sleep(self.opts.poll_interval).await;
            }
        }
        Ok(self.report)
    }

    /// Refreshes the planner's statistics of the tables the sync writes once this run has
    /// doubled what they held (at least [`ANALYZE_EVERY`] events): during a backfill they grow
    /// from nothing within minutes, faster than autovacuum looks, and the plans this
    /// connection cached while a table held a few rows scan it whole on every lookup.
    /// Analyzing replaces them. (Planning every execution instead, `plan_cache_mode =
    /// force_custom_plan`, also replans each foreign-key check: it made a backfill 1.5 times
    /// slower.)
    async fn analyze_when_grown(&mut self, conn: &mut PgConnection) -> Result<(), SyncError> {
        let grown = self.report.events_new - self.analyzed_at;
        if grown < ANALYZE_EVERY.max(self.analyzed_at) {
            return Ok(());
        }
        let started = Instant::now();
        // A small sample: the row counts and key ranges are what the lookups need, and
        // autovacuum makes the full statistics later.
        let mut tx = conn.begin().await.map_err(db("beginning an analyze"))?;
        for statement in [SMALL_SAMPLE, ANALYZE] {
            sqlx::query(statement)
                .execute(&mut *tx)
                .await
                .map_err(db("analyzing the mirror's tables"))?;
        }
        tx.commit().await.map_err(db("committing an analyze"))?;
        self.analyzed_at = self.report.events_new;
        tracing::debug!(took = ?started.elapsed(), events = self.analyzed_at, "mirror tables analyzed");
        Ok(())
    }

    /// Marks the followed events that ended by ledger time `time` (of `ledger`) completed.
    async fn complete_events(
        &mut self,
        conn: &mut PgConnection,
        contracts: &HashMap<String, Followed>,
        time: i64,
        ledger: u32,
    ) -> Result<(), SyncError> {
        let ids: Vec<Uuid> = contracts
            .values()
            .filter(|f| f.kind == ContractKind::Ticketing)
            .map(|f| f.id)
            .collect();
        let done = sqlx::query(COMPLETE_EVENTS)
            .bind(&ids)
            .bind(time)
            .bind(i64::from(ledger))
            .execute(conn)
            .await
            .map_err(db("completing ended events"))?;
        if done.rows_affected() > 0 {
            tracing::info!(network = %self.network, events = done.rows_affected(), "events completed");
        }
        Ok(())
    }

    /// Records `contracts` as followed from `ledger` on.
    async fn mark_covered(
        &self,
        conn: &mut PgConnection,
        contracts: &HashMap<String, Followed>,
        ledger: u32,
    ) -> Result<(), SyncError> {
        let ids: Vec<Uuid> = contracts
            .values()
            .filter(|f| !f.covered)
            .map(|f| f.id)
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query(MARK_COVERED)
            .bind(&ids)
            .bind(self.network.as_str())
            .bind(i64::from(ledger.max(1)))
            .execute(conn)
            .await
            .map_err(db("recording the followed contracts"))?;
        Ok(())
    }

    /// Backfills the contracts the stored cursor has not covered (registered after it passed
    /// their deployment) from their deployment ledger up to the cursor, then records them as
    /// followed. Their later events come with everyone else's.
    async fn cover_new(
        &mut self,
        conn: &mut PgConnection,
        contracts: &HashMap<String, Followed>,
        position: &Position,
    ) -> Result<(), SyncError> {
        let new: HashMap<String, Followed> = contracts
            .iter()
            .filter(|(_, f)| !f.covered)
            .map(|(a, f)| (a.clone(), f.clone()))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        let through = position.next_ledger().saturating_sub(1);
        let from = new
            .values()
            .filter_map(|f| f.deployed)
            .min()
            .unwrap_or(self.oldest)
            .max(1);
        tracing::info!(
            network = %self.network,
            contracts = new.len(),
            from,
            through,
            "backfilling newly registered contracts"
        );
        let mut at = Position::Ledger(from);
        while at.next_ledger() <= through {
            self.check_retention(&at)?;
            let mut page = self.read(&new, &at, Some(through + 1), None).await?;
            let full = page.returned >= self.source.page_size() as usize;
            let cursor_ledger = cursor_ledger(&page.cursor)?;
            let (cursor, latest) = (page.cursor.clone(), page.latest_ledger);
            // Later events are read with everyone else's, after the main cursor.
            let count = page.events.len();
            page.events.retain(|e| e.event.ledger <= through);
            let past = page.events.len() < count;
            self.apply_page(conn, page, None).await?;
            self.report.pages += 1;
            if past || (!full && cursor_ledger >= through) {
                break;
            }
            at = Position::Cursor {
                cursor,
                complete: if full {
                    cursor_ledger.saturating_sub(1)
                } else {
                    cursor_ledger
                },
            };
            if !full && cursor_ledger >= latest {
                break;
            }
        }
        self.mark_covered(conn, &new, from).await
    }

    /// The followed contracts by address.
    async fn contracts(
        &self,
        conn: &mut PgConnection,
    ) -> Result<HashMap<String, Followed>, SyncError> {
        let rows = registry::list(&mut *conn, Some(self.network))
            .await
            .map_err(db("reading the contract registry"))?;
        let ledgers: Vec<(Uuid, Option<i64>, bool)> = sqlx::query_as(CONTRACT_LEDGERS)
            .bind(self.network.as_str())
            .fetch_all(&mut *conn)
            .await
            .map_err(db("reading the deployment ledgers"))?;
        let ledgers: HashMap<Uuid, (Option<u32>, bool)> = ledgers
            .into_iter()
            .map(|(id, ledger, covered)| {
                (id, (ledger.and_then(|l| u32::try_from(l).ok()), covered))
            })
            .collect();
        let followed: HashMap<String, Followed> = rows
            .into_iter()
            .filter(|c| c.status == "active" || c.status == "paused")
            .map(|c| {
                let (deployed, covered) = ledgers.get(&c.id).copied().unwrap_or((None, false));
                (
                    c.address,
                    Followed {
                        id: c.id,
                        kind: c.kind,
                        deployed,
                        covered,
                    },
                )
            })
            .collect();
        if followed.is_empty() {
            return Err(SyncError::NoContracts {
                network: self.network,
            });
        }
        let max = MAX_IDS_PER_FILTER * MAX_FILTERS;
        if followed.len() > max {
            return Err(SyncError::TooManyContracts {
                network: self.network,
                count: followed.len(),
                max,
            });
        }
        Ok(followed)
    }

    /// Where this run starts: `--from-ledger`, the stored cursor, or the first deployment;
    /// and whether that is a fresh start (not the stored cursor).
    async fn start(
        &mut self,
        conn: &mut PgConnection,
        contracts: &HashMap<String, Followed>,
    ) -> Result<(Position, bool), SyncError> {
        let stored: Option<(String, i64)> = sqlx::query_as(SELECT_CURSOR)
            .bind(self.network.as_str())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db("reading the sync cursor"))?;
        if let Some((cursor, complete)) = &stored {
            self.report.cursor = Some(cursor.clone());
            self.report.last_ledger = u32::try_from(*complete).unwrap_or(0);
        }
        if let Some(ledger) = self.opts.from_ledger {
            if ledger > self.latest {
                return Err(SyncError::FromLedgerAhead {
                    network: self.network,
                    ledger,
                    latest: self.latest,
                });
            }
            if let Some((_, complete)) = &stored {
                if i64::from(ledger) > complete + 1 {
                    tracing::warn!(
                        network = %self.network,
                        skipped_from = complete + 1,
                        skipped_to = ledger - 1,
                        "--from-ledger skips ledgers the mirror has not read"
                    );
                }
            }
            return Ok((Position::Ledger(ledger.max(1)), true));
        }
        if let Some((cursor, complete)) = stored {
            let position = Position::Cursor {
                cursor,
                complete: u32::try_from(complete).unwrap_or(0),
            };
            return Ok((position, false));
        }
        // The first deployment; for contracts deployed by something that did not record it,
        // what the server still has.
        let first = contracts
            .values()
            .map(|f| f.deployed.unwrap_or(self.oldest))
            .min()
            .unwrap_or(self.oldest)
            .max(1);
        Ok((Position::Ledger(first), true))
    }

    fn check_retention(&self, position: &Position) -> Result<(), SyncError> {
        check_retention(self.network, position, self.oldest, self.latest)
    }

    /// getHealth: the server's oldest and latest ledgers.
    async fn health(&mut self) -> Result<(), SyncError> {
        (self.oldest, self.latest) = self.source.health().await?;
        Ok(())
    }

    /// Reads the page at `position` (or takes the one read ahead for it).
    async fn read(
        &mut self,
        contracts: &HashMap<String, Followed>,
        position: &Position,
        end: Option<u32>,
        ahead: Option<ReadAhead>,
    ) -> Result<Page, SyncError> {
        let page = match ahead {
            Some(ahead) => ahead.page().await?,
            None => self.source.read(contracts, position, end).await?,
        };
        self.oldest = page.oldest_ledger;
        self.latest = page.latest_ledger;
        Ok(page)
    }

    /// Stores and applies one page's events and, when given, moves the cursor to
    /// `(cursor, complete ledger, its close time)` — all in one transaction. Returns whether
    /// any event of the network is parked once it is committed (only this lock holder parks
    /// or resolves them), so a backfill with none skips looking for some to retry.
    async fn apply_page(
        &mut self,
        conn: &mut PgConnection,
        page: Page,
        cursor: Option<(&str, u32, Option<&str>)>,
    ) -> Result<bool, SyncError> {
        let network = self.network.as_str();
        self.report.events_seen += page.returned as u64;
        let (incoming, details) = (page.events, page.details);
        let mut tx = conn.begin().await.map_err(db("beginning a page"))?;
        sqlx::query(ASYNC_COMMIT)
            .execute(&mut *tx)
            .await
            .map_err(db("beginning a page"))?;
        // Whether any event may have to wait behind a parked one (usually none is parked).
        let (open, now): (i64, String) = sqlx::query_as(PAGE_START)
            .bind(network)
            .fetch_one(&mut *tx)
            .await
            .map_err(db("counting parked events"))?;
        let mut parked_open = open > 0;
        let fresh = raw::store_new(&mut tx, network, &incoming, &now)
            .await
            .map_err(db("storing the raw events"))?;
        let fresh_items: Vec<Incoming> = incoming
            .into_iter()
            .filter(|i| fresh.contains(&i.event.id))
            .collect();
        self.report.events_new += fresh_items.len() as u64;
        let pending: Vec<(Origin, &Incoming)> = fresh_items
            .iter()
            .filter(|i| !i.ignored())
            .map(|item| (origin_of(network, item, &details), item))
            .collect();
        self.report.ignored += (fresh_items.len() - pending.len()) as u64;
        let last_ledger = fresh_items.last().map_or(0, |e| e.event.ledger);
        let mut at = 0;
        while at < pending.len() {
            // Consecutive purchases go in together, unless an event is parked (one of them
            // might have to wait behind it: one at a time then).
            let run = if parked_open {
                1
            } else {
                pending[at..]
                    .iter()
                    .take_while(|(_, i)| matches!(i.decoded, Ok(Decoded::Purchased { .. })))
                    .count()
                    .max(1)
            };
            if run > 1 && apply_purchases(&mut tx, &pending[at..at + run]).await? {
                self.report.applied += run as u64;
                at += run;
                continue;
            }
            // One at a time: each applied or parked with its own reason.
            for (origin, item) in &pending[at..at + run] {
                let (outcome, subject) = process(
                    &mut tx,
                    origin,
                    &item.decoded,
                    &item.value_json,
                    parked_open,
                )
                .await?;
                match outcome {
                    Outcome::Applied => self.report.applied += 1,
                    Outcome::Ignored => self.report.ignored += 1,
                    Outcome::Parked(..) => {
                        self.report.parked += 1;
                        parked_open = true;
                    }
                }
                record_outcome(&mut tx, origin, &outcome, &subject, false).await?;
            }
            at += run;
        }
        record_ignored_only(&mut tx, network, &fresh_items, &pending, &details).await?;
        let fresh = fresh.len();
        if let Some((cursor, complete, closed_at)) = cursor {
            sqlx::query(SAVE_CURSOR)
                .bind(network)
                .bind(cursor)
                .bind(i64::from(complete))
                .bind(closed_at)
                .execute(&mut *tx)
                .await
                .map_err(db("moving the cursor"))?;
        }
        crate::failpoint::hit("sync.before_commit");
        tx.commit().await.map_err(db("committing a page"))?;
        crate::failpoint::hit("sync.after_commit");
        if fresh > 0 {
            tracing::info!(
                network,
                ledger = last_ledger,
                new = fresh,
                applied = self.report.applied,
                parked = self.report.parked,
                "page applied"
            );
        }
        Ok(parked_open)
    }

    /// The source and fee of the transactions `hashes` that `transactions` does not have yet,
    /// from getTransaction.
    async fn transaction_details(
        &self,
        conn: &mut PgConnection,
        mut hashes: Vec<String>,
    ) -> Result<HashMap<String, TxInfo>, SyncError> {
        if !self.opts.transaction_details || hashes.is_empty() {
            return Ok(HashMap::new());
        }
        hashes.sort();
        hashes.dedup();
        let known: HashSet<String> = sqlx::query_scalar(DETAILED_TRANSACTIONS)
            .bind(&hashes)
            .fetch_all(&mut *conn)
            .await
            .map_err(db("reading known transactions"))?
            .into_iter()
            .collect();
        hashes.retain(|h| !known.contains(h));
        self.source.details(hashes).await
    }

    /// Retries the open parked events (those before event id `before`, or all), oldest first,
    /// in one transaction.
    async fn retry_parked(
        &mut self,
        conn: &mut PgConnection,
        contracts: &HashMap<String, Followed>,
        before: Option<&str>,
    ) -> Result<(), SyncError> {
        let network = self.network.as_str();
        let open: i64 = sqlx::query_scalar(COUNT_OPEN_PARKED)
            .bind(network)
            .bind(before)
            .fetch_one(&mut *conn)
            .await
            .map_err(db("counting parked events"))?;
        if open == 0 {
            return Ok(());
        }
        let mut tx = conn.begin().await.map_err(db("beginning a retry"))?;
        type Row = (
            String,
            Uuid,
            String,
            i64,
            String,
            String,
            Vec<String>,
            String,
            serde_json::Value,
        );
        let rows: Vec<Row> = sqlx::query_as(OPEN_PARKED)
            .bind(network)
            .bind(before)
            .fetch_all(&mut *tx)
            .await
            .map_err(db("reading parked events"))?;
        let mut resolved = 0;
        let mut resolved_txs = vec![];
        for (
            event_id,
            contract_id,
            contract,
            ledger,
            closed_at,
            tx_hash,
            topics_xdr,
            value_xdr,
            value_json,
        ) in &rows
        {
            let kind = match contracts.get(contract) {
                Some(f) => f.kind,
                // A contract no longer followed (deprecated): leave its events parked.
                None => continue,
            };
            let topics: Vec<xdr::ScVal> = topics_xdr
                .iter()
                .map(|t| from_base64::<xdr::ScVal>(t))
                .collect::<Result<_, _>>()
                .map_err(|e| SyncError::BadResponse {
                    what: "stored event topic",
                    detail: format!("{event_id}: {e}"),
                })?;
            let value =
                from_base64::<xdr::ScVal>(value_xdr).map_err(|e| SyncError::BadResponse {
                    what: "stored event value",
                    detail: format!("{event_id}: {e}"),
                })?;
            let origin = Origin {
                network,
                event_id,
                contract_id: *contract_id,
                contract,
                ledger: u32::try_from(*ledger).unwrap_or(0),
                closed_at,
                tx_hash,
                tx: None,
            };
            let decoded = decode::decode(kind, &topics, &value);
            let (outcome, subject) = process(&mut tx, &origin, &decoded, value_json, true).await?;
            if !matches!(outcome, Outcome::Parked(..)) {
                resolved += 1;
                resolved_txs.push(tx_hash.clone());
            }
            record_outcome(&mut tx, &origin, &outcome, &subject, true).await?;
        }
        tx.commit().await.map_err(db("committing a retry"))?;
        // The sender and fee of the transactions just applied, as for new events.
        for (hash, info) in self.transaction_details(conn, resolved_txs).await? {
            sqlx::query(COMPLETE_TRANSACTION)
                .bind(hash)
                .bind(info.source)
                .bind(info.fee_charged)
                .execute(&mut *conn)
                .await
                .map_err(db("completing a transaction"))?;
        }
        self.report.unparked += resolved;
        if resolved > 0 {
            tracing::info!(network, resolved, "parked events applied");
        }
        Ok(())
    }
}

/// [`SyncError::CursorTooOld`] when `position` is older than the server's `oldest` ledger.
fn check_retention(
    network: NetworkName,
    position: &Position,
    oldest: u32,
    latest: u32,
) -> Result<(), SyncError> {
    let next = position.next_ledger();
    if next < oldest {
        return Err(SyncError::CursorTooOld {
            network,
            next_ledger: next,
            last_missing: oldest - 1,
            oldest,
            latest,
        });
    }
    Ok(())
}

/// The account that sent a transaction (the inner transaction's source for a fee bump).
fn envelope_source(envelope: &xdr::TransactionEnvelope) -> Option<String> {
    let muxed = match envelope {
        xdr::TransactionEnvelope::Tx(e) => &e.tx.source_account,
        xdr::TransactionEnvelope::TxFeeBump(e) => match &e.tx.inner_tx {
            xdr::FeeBumpTransactionInnerTx::Tx(inner) => &inner.tx.source_account,
        },
        xdr::TransactionEnvelope::TxV0(e) => {
            return Some(format!(
                "{}",
                stellar_strkey::ed25519::PublicKey(e.tx.source_account_ed25519.0)
            ))
        }
    };
    Some(match muxed {
        xdr::MuxedAccount::Ed25519(key) => {
            format!("{}", stellar_strkey::ed25519::PublicKey(key.0))
        }
        xdr::MuxedAccount::MuxedEd25519(m) => format!(
            "{}",
            stellar_strkey::ed25519::MuxedAccount {
                ed25519: m.ed25519.0,
                id: m.id,
            }
        ),
    })
}

/// Applies one decoded event inside a savepoint; returns its outcome and the subject it is
/// (or would be) parked under. With `parked_open` false (no open parked event on the
/// network) the look for an earlier parked event on the same subject is skipped.
async fn process(
    tx: &mut PgConnection,
    origin: &Origin<'_>,
    decoded: &Result<Decoded, decode::Undecodable>,
    value_json: &serde_json::Value,
    parked_open: bool,
) -> Result<(Outcome, String), SyncError> {
    let fallback_subject = format!("contract:{}", origin.contract);
    let decoded = match decoded {
        Ok(d) => d,
        Err(e) => {
            let code = match e {
                decode::Undecodable::UnknownTopic(_) => "unknown_topic",
                decode::Undecodable::Malformed(_) => "malformed",
            };
            return Ok((Outcome::Parked(code, e.to_string()), fallback_subject));
        }
    };
    let subjects = decoded.subjects(origin.contract);
    let subject = subjects.first().cloned().unwrap_or(fallback_subject);
    if parked_open && !subjects.is_empty() {
        let behind: Option<String> = sqlx::query_scalar(WAITING_BEHIND)
            .bind(origin.network)
            .bind(&subjects)
            .bind(origin.event_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("looking for earlier parked events"))?;
        if let Some(earlier) = behind {
            return Ok((
                Outcome::Parked(
                    "waiting",
                    format!("waits for the earlier parked event {earlier} on the same subject"),
                ),
                subject,
            ));
        }
    }
    let mut savepoint = tx.begin().await.map_err(db("opening a savepoint"))?;
    let outcome = match apply::apply(&mut savepoint, origin, decoded, value_json).await {
        Ok(outcome) => outcome,
        Err(e) if refused(&e) => {
            Outcome::Parked("refused", format!("the database refused it: {e}"))
        }
        Err(e) => {
            return Err(SyncError::Database {
                what: "applying an event",
                source: e,
            })
        }
    };
    end_savepoint(savepoint, !matches!(outcome, Outcome::Parked(..))).await?;
    Ok((outcome, subject))
}

/// Where `item` comes from, for the tables it is applied to.
fn origin_of<'a>(
    network: &'a str,
    item: &'a Incoming,
    details: &'a HashMap<String, TxInfo>,
) -> Origin<'a> {
    Origin {
        network,
        event_id: &item.event.id,
        contract_id: item.followed.id,
        contract: &item.event.contract_id,
        ledger: item.event.ledger,
        closed_at: &item.event.ledger_closed_at,
        tx_hash: &item.tx_hash,
        tx: details.get(&item.tx_hash),
    }
}

/// Records the transactions of `fresh` whose events are all ignored (an approval, a gate
/// operator, a pause, an upgrade…): every transaction touching the contracts has its row,
/// with its sender and fee. Those with an event in `pending` were recorded with it.
async fn record_ignored_only(
    conn: &mut PgConnection,
    network: &str,
    fresh: &[Incoming],
    pending: &[(Origin<'_>, &Incoming)],
    details: &HashMap<String, TxInfo>,
) -> Result<(), SyncError> {
    let mut seen: HashSet<&str> = pending.iter().map(|(o, _)| o.tx_hash).collect();
    let items: Vec<&Incoming> = fresh
        .iter()
        .filter(|i| i.ignored() && seen.insert(&i.tx_hash))
        .collect();
    if items.is_empty() {
        return Ok(());
    }
    let origins: Vec<Origin> = items
        .iter()
        .map(|i| origin_of(network, i, details))
        .collect();
    let rows: Vec<TxRow> = origins
        .iter()
        .zip(&items)
        .map(|(origin, item)| TxRow {
            origin,
            decoded: &Decoded::Ignored,
            name: item.name.as_deref(),
        })
        .collect();
    apply::record_transactions(conn, &rows)
        .await
        .map_err(db("recording transactions"))?;
    Ok(())
}

/// Releases `savepoint` when `keep`, otherwise rolls it back (a parked event leaves no trace).
async fn end_savepoint(
    savepoint: sqlx::Transaction<'_, sqlx::Postgres>,
    keep: bool,
) -> Result<(), SyncError> {
    if keep {
        savepoint
            .commit()
            .await
            .map_err(db("releasing a savepoint"))
    } else {
        savepoint
            .rollback()
            .await
            .map_err(db("rolling back a savepoint"))
    }
}

/// Applies a run of new `purchased` events together (purchases.rs) inside a savepoint;
/// `false`, with nothing written, when one of them cannot be applied as it stands (the caller
/// then takes them one at a time).
async fn apply_purchases(
    tx: &mut PgConnection,
    run: &[(Origin<'_>, &Incoming)],
) -> Result<bool, SyncError> {
    let mut batch = Vec::with_capacity(run.len());
    for (origin, item) in run {
        let Ok(decoded) = &item.decoded else {
            return Ok(false);
        };
        batch.push(purchases::Purchase {
            origin,
            decoded,
            value_json: &item.value_json,
        });
    }
    let mut savepoint = tx.begin().await.map_err(db("opening a savepoint"))?;
    let applied = match purchases::apply(&mut savepoint, &batch).await {
        Ok(Ok(())) => true,
        Ok(Err(_)) => false,
        Err(e) if refused(&e) => false,
        Err(source) => {
            return Err(SyncError::Database {
                what: "applying purchases",
                source,
            })
        }
    };
    end_savepoint(savepoint, applied).await?;
    Ok(applied)
}

/// Records what became of an event: its outcome in `chain_events`, and `parked_events`.
async fn record_outcome(
    tx: &mut PgConnection,
    origin: &Origin<'_>,
    outcome: &Outcome,
    subject: &str,
    retry: bool,
) -> Result<(), SyncError> {
    match (outcome, retry) {
        (Outcome::Parked(code, reason), false) => {
            sqlx::query(SET_PARKED)
                .bind(origin.network)
                .bind(origin.event_id)
                .execute(&mut *tx)
                .await
                .map_err(db("parking an event"))?;
            sqlx::query(INSERT_PARKED)
                .bind(origin.network)
                .bind(origin.event_id)
                .bind(subject)
                .bind(*code)
                .bind(reason)
                .execute(&mut *tx)
                .await
                .map_err(db("parking an event"))?;
        }
        (Outcome::Parked(code, reason), true) => {
            sqlx::query(RETRY_FAILED)
                .bind(origin.network)
                .bind(origin.event_id)
                .bind(*code)
                .bind(reason)
                .execute(&mut *tx)
                .await
                .map_err(db("recording a failed retry"))?;
        }
        // A new event goes in as applied (INSERT_RAW).
        (Outcome::Applied, false) => {}
        (outcome, retry) => {
            let name = if *outcome == Outcome::Applied {
                "applied"
            } else {
                "ignored"
            };
            sqlx::query(SET_OUTCOME)
                .bind(origin.network)
                .bind(origin.event_id)
                .bind(name)
                .execute(&mut *tx)
                .await
                .map_err(db("recording an outcome"))?;
            if retry {
                sqlx::query(RESOLVE_PARKED)
                    .bind(origin.network)
                    .bind(origin.event_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db("resolving a parked event"))?;
            }
        }
    }
    Ok(())
}

/// Whether the database refused a statement for its content (a constraint, a rule trigger,
/// a bad value), as opposed to failing (connection, server).
fn refused(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("23") || c.starts_with("22") || c == "P0001"),
        _ => false,
    }
}

fn json_error(e: serde_json::Error) -> SyncError {
    SyncError::BadResponse {
        what: "event (as JSON)",
        detail: e.to_string(),
    }
}

/// The ledger of an RPC event id or cursor (`%019d-%010d`: the TOID's high 32 bits).
///
/// # Errors
/// [`SyncError::BadResponse`] for anything else.
pub fn cursor_ledger(cursor: &str) -> Result<u32, SyncError> {
    let bad = || SyncError::BadResponse {
        what: "cursor",
        detail: format!("\"{cursor}\" is not an event id"),
    };
    let toid: i64 = cursor
        .split_once('-')
        .map_or(cursor, |(toid, _)| toid)
        .parse()
        .map_err(|_| bad())?;
    u32::try_from(toid >> 32).map_err(|_| bad())
}

fn limits() -> Limits {
    Limits::depth(XDR_DEPTH)
}

/// A value from its base64 XDR, as `T::from_xdr_base64` reads it, but decoding the base64 in
/// one pass first: `from_xdr_base64` streams it through a reader a few bytes at a time, about
/// a tenth of this process's work in a backfill (every event's topics and value, every
/// transaction's envelope and result). Text that is not plain base64 (whitespace in it, or
/// not base64 at all) goes through `from_xdr_base64`, for the same result or error.
fn from_base64<T: ReadXdr>(b64: &str) -> Result<T, xdr::Error> {
    use base64::Engine as _;
    match base64::engine::general_purpose::STANDARD.decode(b64) {
        Ok(bytes) => T::from_xdr(bytes, limits()),
        Err(_) => T::from_xdr_base64(b64, limits()),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass decoding reads what `from_xdr_base64` reads, and refuses what it refuses.
    #[test]
    fn base64_xdr_decodes_as_the_streaming_reader_does() {
        use xdr::WriteXdr as _;
        let value = xdr::ScVal::Vec(Some(xdr::ScVec(
            vec![
                xdr::ScVal::Symbol("purchased".try_into().unwrap()),
                xdr::ScVal::U32(7),
                xdr::ScVal::I128(xdr::Int128Parts { hi: 1, lo: 2 }),
            ]
            .try_into()
            .unwrap(),
        )));
        let b64 = value.to_xdr_base64(Limits::none()).unwrap();
        let streamed = xdr::ScVal::from_xdr_base64(&b64, limits()).unwrap();
        assert_eq!(from_base64::<xdr::ScVal>(&b64).unwrap(), streamed);
        assert_eq!(streamed, value);
        // Whitespace, which the streaming reader skips.
        let spaced = format!("{} \n{}", &b64[..8], &b64[8..]);
        assert_eq!(from_base64::<xdr::ScVal>(&spaced).unwrap(), value);
        // Not base64; a U32 without its number; a value with bytes left over.
        let mut longer = value.to_xdr(Limits::none()).unwrap();
        longer.extend([0; 4]);
        let longer = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(longer)
        };
        for bad in ["not base64!".to_owned(), "AAAAAw==".to_owned(), longer] {
            assert!(from_base64::<xdr::ScVal>(&bad).is_err(), "{bad}");
            assert!(
                xdr::ScVal::from_xdr_base64(&bad, limits()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn cursors_name_their_ledger() {
        let id = format!("{:019}-{:010}", (7i64 << 32) | (2 << 12), 3);
        assert_eq!(cursor_ledger(&id).unwrap(), 7);
        assert!(cursor_ledger("x-1").is_err());
        assert!(cursor_ledger(&format!("{:019}-0", -1i64)).is_err());
    }

    #[test]
    fn the_retention_error_says_how_to_backfill() {
        let e = SyncError::CursorTooOld {
            network: NetworkName::Testnet,
            next_ledger: 100,
            last_missing: 499,
            oldest: 500,
            latest: 900,
        };
        let text = e.to_string();
        assert!(text.contains("--from-ledger 100"), "{text}");
        assert!(text.contains("--from-ledger 500"), "{text}");
        assert!(text.contains("100–499"), "{text}");
    }
}
