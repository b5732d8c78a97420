//! Parked events: listing them (`passa sync parked`) and retrying them when what they waited
//! for may have arrived.

use std::collections::HashMap;

use sqlx::{Acquire, PgConnection};
use stellar_xdr as xdr;
use uuid::Uuid;

use crate::apply::Outcome;
use crate::codec::from_base64;
use crate::cursor::Followed;
use crate::decode;
use crate::error::{db, SyncError};
use crate::page::{process, record_outcome};
use crate::rows::Origin;
use passa_stellar::network::NetworkName;

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

const OPEN_PARKED: &str = "
SELECT c.event_id, c.smart_contract_id, c.contract_address, c.ledger,
       c.ledger_closed_at::text,
       c.transaction_hash::text, c.topics_xdr, c.value_xdr, c.value
  FROM parked_events p
  JOIN chain_events c ON c.network = p.network AND c.event_id = p.event_id
 WHERE p.network = $1 AND p.resolved_at IS NULL AND ($2::text IS NULL OR p.event_id < $2)
 ORDER BY p.event_id
   FOR UPDATE OF p";

const COUNT_OPEN_PARKED: &str = "
SELECT count(*) FROM parked_events
 WHERE network = $1 AND resolved_at IS NULL AND ($2::text IS NULL OR event_id < $2)";

/// A stored event as its parked row is retried from.
type StoredEvent = (
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

/// Retries the open parked events (those before event id `before`, or all), oldest first,
/// in one transaction. Returns the transactions of the events it applied.
pub(crate) async fn retry(
    conn: &mut PgConnection,
    network: &str,
    contracts: &HashMap<String, Followed>,
    before: Option<&str>,
) -> Result<Vec<String>, SyncError> {
    let open: i64 = sqlx::query_scalar(COUNT_OPEN_PARKED)
        .bind(network)
        .bind(before)
        .fetch_one(&mut *conn)
        .await
        .map_err(db("counting parked events"))?;
    if open == 0 {
        return Ok(vec![]);
    }
    let mut tx = conn.begin().await.map_err(db("beginning a retry"))?;
    let rows: Vec<StoredEvent> = sqlx::query_as(OPEN_PARKED)
        .bind(network)
        .bind(before)
        .fetch_all(&mut *tx)
        .await
        .map_err(db("reading parked events"))?;
    let mut resolved = vec![];
    for row in &rows {
        let contract = &row.2;
        let Some(followed) = contracts.get(contract) else {
            // A contract no longer followed (deprecated): leave its events parked.
            continue;
        };
        if retry_one(&mut tx, network, followed, row).await? {
            resolved.push(row.5.clone());
        }
    }
    tx.commit().await.map_err(db("committing a retry"))?;
    Ok(resolved)
}

/// Retries one parked event; whether it is no longer parked.
async fn retry_one(
    tx: &mut PgConnection,
    network: &str,
    followed: &Followed,
    (
        event_id,
        contract_id,
        contract,
        ledger,
        closed_at,
        tx_hash,
        topics_xdr,
        value_xdr,
        value_json,
    ): &StoredEvent,
) -> Result<bool, SyncError> {
    let topics: Vec<xdr::ScVal> = topics_xdr
        .iter()
        .map(|t| from_base64::<xdr::ScVal>(t))
        .collect::<Result<_, _>>()
        .map_err(|e| SyncError::BadResponse {
            what: "stored event topic",
            detail: format!("{event_id}: {e}"),
        })?;
    let value = from_base64::<xdr::ScVal>(value_xdr).map_err(|e| SyncError::BadResponse {
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
    let decoded = decode::decode(followed.kind, &topics, &value);
    let (outcome, subject) = process(tx, &origin, &decoded, value_json, true).await?;
    record_outcome(tx, &origin, &outcome, &subject, true).await?;
    Ok(!matches!(outcome, Outcome::Parked(..)))
}
