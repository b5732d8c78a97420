//! The follower: one sync run on one network, from its start position through every page to
//! the latest ledger and, unless `--once`, on as ledgers close. It holds the network's
//! advisory lock on the connection that applies.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use sqlx::{Acquire, PgConnection};
use uuid::Uuid;

use crate::cursor::{check_retention, cursor_ledger, Followed, Position};
use crate::error::{db, SyncError};
use crate::followed::{followed, mark_covered};
use crate::identity::{self, Anchoring};
use crate::options::{Observer, Quiet, SyncOptions, SyncReport};
use crate::page::{apply_page, CursorMove};
use crate::parked;
use crate::rows::TxInfo;
use crate::source::{Page, ReadAhead, Source};
use passa_db::registry::ContractKind;
use passa_stellar::network::NetworkName;
use passa_stellar::rpc::Rpc;

const TRY_LOCK: &str = "SELECT pg_try_advisory_lock(hashtextextended($1, 0))";

const LOCK: &str = "SELECT pg_advisory_lock(hashtextextended($1, 0))";

const UNLOCK: &str = "SELECT pg_advisory_unlock(hashtextextended($1, 0))";

const SELECT_CURSOR: &str = "SELECT cursor, last_ledger FROM sync_cursors WHERE network = $1";

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

/// New events after which the mirror's tables are analyzed first (then each time the events
/// of the run double).
const ANALYZE_EVERY: u64 = 10_000;

const SMALL_SAMPLE: &str = "SET LOCAL default_statistics_target = 10";

/// The tables a page writes and then looks rows up in. (Without ownership PostgreSQL skips a
/// table with a warning.)
const ANALYZE: &str = "
ANALYZE chain_events, parked_events, transactions, tickets, ticket_transfers, attribution, events";

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
    /// When the network's identity was last recorded.
    anchoring: Anchoring,
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
            anchoring: Anchoring::default(),
        })
    }

    async fn run(mut self, conn: &mut PgConnection) -> Result<SyncReport, SyncError> {
        let mut contracts = self.contracts(conn).await?;
        self.health().await?;
        self.check_identity(conn).await?;
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
                self.anchor(conn, complete).await?;
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

    /// The followed contracts by address.
    async fn contracts(
        &self,
        conn: &mut PgConnection,
    ) -> Result<HashMap<String, Followed>, SyncError> {
        followed(conn, self.network).await
    }

    /// Records `contracts` as followed from `ledger` on.
    async fn mark_covered(
        &self,
        conn: &mut PgConnection,
        contracts: &HashMap<String, Followed>,
        ledger: u32,
    ) -> Result<(), SyncError> {
        mark_covered(conn, self.network, contracts, ledger).await
    }

    /// Stores and applies one page, moving the cursor when given ([`apply_page`]).
    async fn apply_page(
        &mut self,
        conn: &mut PgConnection,
        page: Page,
        cursor: Option<CursorMove<'_>>,
    ) -> Result<bool, SyncError> {
        apply_page(conn, self.network.as_str(), page, cursor, &mut self.report).await
    }

    /// Stops before reading anything when the RPC serves another chain than the one behind
    /// the stored cursor (see [`identity`]).
    async fn check_identity(&self, conn: &mut PgConnection) -> Result<(), SyncError> {
        if let Some(stored) = identity::stored(conn, self.network).await? {
            let range = (self.oldest, self.latest);
            identity::check(&self.source, self.network, &stored, range).await?;
        }
        Ok(())
    }

    /// Records the caught-up `ledger` as the network's anchor, when one is due.
    async fn anchor(&mut self, conn: &mut PgConnection, ledger: u32) -> Result<(), SyncError> {
        if self.anchoring.due(self.opts.once) {
            identity::record(conn, &self.source, self.network, ledger).await?;
            self.anchoring.done();
        }
        Ok(())
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

    /// Retries the open parked events (those before event id `before`, or all), then fills
    /// in the sender and fee of the transactions applied, as for new events.
    async fn retry_parked(
        &mut self,
        conn: &mut PgConnection,
        contracts: &HashMap<String, Followed>,
        before: Option<&str>,
    ) -> Result<(), SyncError> {
        let network = self.network.as_str();
        let resolved_txs = parked::retry(conn, network, contracts, before).await?;
        let resolved = resolved_txs.len() as u64;
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
