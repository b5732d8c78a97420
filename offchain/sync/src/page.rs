//! Applying one `getEvents` page in one database transaction: its raw events stored, each new
//! one applied (a run of purchases together), ignored or parked with its reason, and the
//! cursor moved — so a crash anywhere loses and doubles nothing.

use std::collections::{HashMap, HashSet};

use sqlx::{Acquire, PgConnection};

use crate::apply::{self, Outcome};
use crate::decode::{self, Decoded};
use crate::error::{db, refused, SyncError};
use crate::options::SyncReport;
use crate::purchases;
use crate::raw::{self, Incoming};
use crate::rows::{self, Origin, TxInfo, TxRow};
use crate::source::Page;

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

const SAVE_CURSOR: &str = "
INSERT INTO sync_cursors (network, cursor, last_ledger, last_ledger_closed_at)
VALUES ($1, $2, $3, $4::timestamptz)
ON CONFLICT (network) DO UPDATE
   SET cursor = EXCLUDED.cursor, last_ledger = EXCLUDED.last_ledger,
       last_ledger_closed_at = COALESCE(EXCLUDED.last_ledger_closed_at,
                                        sync_cursors.last_ledger_closed_at)
 WHERE sync_cursors.cursor < EXCLUDED.cursor
   AND sync_cursors.last_ledger <= EXCLUDED.last_ledger";

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

const RETRY_FAILED: &str = "
UPDATE parked_events
   SET attempts = attempts + 1, last_attempt_at = now(), reason_code = $3, reason = $4
 WHERE network = $1 AND event_id = $2";

const RESOLVE_PARKED: &str = "
UPDATE parked_events SET attempts = attempts + 1, last_attempt_at = now(), resolved_at = now()
 WHERE network = $1 AND event_id = $2";

/// Where a page moves the cursor: the cursor, the last ledger it completes, and that
/// ledger's close time when the page saw it.
pub(crate) type CursorMove<'a> = (&'a str, u32, Option<&'a str>);

/// Stores and applies one page's events and, when given, moves the cursor to `cursor` — all
/// in one transaction, counting what it did in `report`. Returns whether any event of the
/// network is parked once it is committed (only the sync lock's holder parks or resolves
/// them), so a backfill with none skips looking for some to retry.
pub(crate) async fn apply_page(
    conn: &mut PgConnection,
    network: &str,
    page: Page,
    cursor: Option<CursorMove<'_>>,
    report: &mut SyncReport,
) -> Result<bool, SyncError> {
    report.events_seen += page.returned as u64;
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
    let fresh = raw::store_new(&mut tx, network, &incoming, &now)
        .await
        .map_err(db("storing the raw events"))?;
    let fresh_items: Vec<Incoming> = incoming
        .into_iter()
        .filter(|i| fresh.contains(&i.event.id))
        .collect();
    report.events_new += fresh_items.len() as u64;
    let pending: Vec<(Origin, &Incoming)> = fresh_items
        .iter()
        .filter(|i| !i.ignored())
        .map(|item| (origin_of(network, item, &details), item))
        .collect();
    report.ignored += (fresh_items.len() - pending.len()) as u64;
    let parked_open = apply_pending(&mut tx, &pending, open > 0, report).await?;
    record_ignored_only(&mut tx, network, &fresh_items, &pending, &details).await?;
    if let Some(cursor) = cursor {
        save_cursor(&mut tx, network, cursor).await?;
    }
    passa_db::failpoint::hit("sync.before_commit");
    tx.commit().await.map_err(db("committing a page"))?;
    passa_db::failpoint::hit("sync.after_commit");
    if !fresh.is_empty() {
        tracing::info!(
            network,
            ledger = fresh_items.last().map_or(0, |e| e.event.ledger),
            new = fresh.len(),
            applied = report.applied,
            parked = report.parked,
            "page applied"
        );
    }
    Ok(parked_open)
}

/// Applies a page's new events with something to mirror, in chain order; returns whether an
/// event of the network is parked afterwards (`parked_open`: whether one was before).
async fn apply_pending(
    tx: &mut PgConnection,
    pending: &[(Origin<'_>, &Incoming)],
    mut parked_open: bool,
    report: &mut SyncReport,
) -> Result<bool, SyncError> {
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
        if run > 1 && apply_purchases(tx, &pending[at..at + run]).await? {
            report.applied += run as u64;
            at += run;
            continue;
        }
        // One at a time: each applied or parked with its own reason.
        for (origin, item) in &pending[at..at + run] {
            let (outcome, subject) =
                process(tx, origin, &item.decoded, &item.value_json, parked_open).await?;
            match outcome {
                Outcome::Applied => report.applied += 1,
                Outcome::Ignored => report.ignored += 1,
                Outcome::Parked(..) => {
                    report.parked += 1;
                    parked_open = true;
                }
            }
            record_outcome(tx, origin, &outcome, &subject, false).await?;
        }
        at += run;
    }
    Ok(parked_open)
}

/// Moves the network's cursor forward (never back).
async fn save_cursor(
    tx: &mut PgConnection,
    network: &str,
    (cursor, complete, closed_at): CursorMove<'_>,
) -> Result<(), SyncError> {
    sqlx::query(SAVE_CURSOR)
        .bind(network)
        .bind(cursor)
        .bind(i64::from(complete))
        .bind(closed_at)
        .execute(tx)
        .await
        .map_err(db("moving the cursor"))?;
    Ok(())
}

/// Applies one decoded event inside a savepoint; returns its outcome and the subject it is
/// (or would be) parked under. With `parked_open` false (no open parked event on the
/// network) the look for an earlier parked event on the same subject is skipped.
pub(crate) async fn process(
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
    rows::record_transactions(conn, &rows)
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
pub(crate) async fn record_outcome(
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
