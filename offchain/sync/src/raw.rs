//! A page's raw events: each as read and decoded ([`Incoming`]), and stored in
//! `chain_events`, unique by RPC event id.
//!
//! The ids already stored are looked up first and only the new events are written, with
//! `COPY` (a backfill writes hundreds of thousands of these rows, and `COPY` is the fastest
//! way PostgreSQL takes rows in). That is safe because only the holder of the sync's advisory
//! lock writes `chain_events`, on this same connection. Events with nothing to mirror go in
//! final (`ignored`); the others as `applied`, what nearly all of them become, and the few that
//! are parked are changed within the same transaction.

use std::collections::HashSet;

use sqlx::PgConnection;

use stellar_xdr as xdr;

use crate::codec::from_base64;
use crate::copy::{copy_fields, copy_in, escape};
use crate::cursor::Followed;
use crate::decode::{self, Decoded};
use crate::error::{json_error, SyncError};

/// Whether any event is stored from a page's first one on: one index descent. In a backfill
/// or while following none is (the page lies past everything stored), and the page's ids
/// need not be probed one by one.
const STORED_FROM: &str = "
SELECT EXISTS (SELECT FROM chain_events WHERE network = $1 AND event_id >= $2)";

/// Which of a page's ids are stored (a page read again: `--from-ledger`, a new contract's
/// history).
const STORED: &str = "
SELECT event_id::text FROM chain_events WHERE network = $1 AND event_id = ANY($2)";

const COPY_IN: &str = "
COPY chain_events (network, event_id, smart_contract_id, contract_address, ledger,
                   ledger_closed_at, transaction_hash, name, topics_xdr, value_xdr, topics,
                   value, outcome, applied_at)
FROM STDIN";

/// One event of a page, read and decoded.
pub(crate) struct Incoming {
    pub event: stellar_rpc_client::Event,
    pub followed: Followed,
    pub value_json: serde_json::Value,
    pub tx_hash: String,
    /// Its name (the first topic), when it has one.
    pub name: Option<String>,
    pub decoded: Result<Decoded, decode::Undecodable>,
    /// Its `chain_events` row for COPY, all but the network and `applied_at`
    /// ([`row_start`]).
    pub copy_row_start: String,
}

impl Incoming {
    pub fn read(event: stellar_rpc_client::Event, followed: Followed) -> Result<Self, SyncError> {
        let topics: Vec<xdr::ScVal> = event
            .topic
            .iter()
            .map(|t| from_base64::<xdr::ScVal>(t))
            .collect::<Result<_, _>>()
            .map_err(|e| SyncError::BadResponse {
                what: "event topic",
                detail: format!("{}: {e}", event.id),
            })?;
        let value =
            from_base64::<xdr::ScVal>(&event.value).map_err(|e| SyncError::BadResponse {
                what: "event value",
                detail: format!("{}: {e}", event.id),
            })?;
        // Stellar RPC has sent txHash with every event since protocol 21.
        let tx_hash = event
            .tx_hash
            .clone()
            .ok_or_else(|| SyncError::BadResponse {
                what: "event",
                detail: format!(
                    "{} has no txHash (is the RPC server older than 21.0?)",
                    event.id
                ),
            })?;
        let topics_json = serde_json::to_value(&topics).map_err(json_error)?;
        let value_json = serde_json::to_value(&value).map_err(json_error)?;
        let decoded = decode::decode(followed.kind, &topics, &value);
        let name = decode::name(&topics);
        let copy_row_start = row_start(
            &event,
            followed.id,
            &tx_hash,
            name.as_deref(),
            &topics_json,
            &value_json,
            matches!(decoded, Ok(Decoded::Ignored)),
        );
        Ok(Self {
            value_json,
            decoded,
            event,
            followed,
            tx_hash,
            name,
            copy_row_start,
        })
    }

    /// Whether the event has nothing to mirror.
    pub fn ignored(&self) -> bool {
        matches!(self.decoded, Ok(Decoded::Ignored))
    }
}

/// Stores the events of `incoming` not stored before; returns their ids. `now` is the
/// database transaction's `now()`, as text, for `applied_at`.
///
/// # Errors
/// The database's.
pub(crate) async fn store_new(
    db: &mut PgConnection,
    network: &str,
    incoming: &[Incoming],
    now: &str,
) -> Result<HashSet<String>, sqlx::Error> {
    let ids: Vec<&str> = incoming.iter().map(|i| i.event.id.as_str()).collect();
    let Some(first) = ids.iter().copied().min() else {
        return Ok(HashSet::new());
    };
    let any_stored: bool = sqlx::query_scalar(STORED_FROM)
        .bind(network)
        .bind(first)
        .fetch_one(&mut *db)
        .await?;
    let stored: HashSet<String> = if any_stored {
        sqlx::query_scalar(STORED)
            .bind(network)
            .bind(&ids)
            .fetch_all(&mut *db)
            .await?
            .into_iter()
            .collect()
    } else {
        HashSet::new()
    };
    let mut fresh = HashSet::new();
    // Sized up front: a page's rows are megabytes, and growing by doubling leaves the
    // smaller copies behind as fragments of the heap.
    let size = incoming
        .iter()
        .map(|i| network.len() + i.copy_row_start.len() + now.len() + 3)
        .sum();
    let mut rows = String::with_capacity(size);
    for item in incoming {
        if stored.contains(&item.event.id) || !fresh.insert(item.event.id.clone()) {
            continue;
        }
        row(&mut rows, network, item, now);
    }
    if !rows.is_empty() {
        copy_in(db, COPY_IN, rows).await?;
    }
    Ok(fresh)
}

/// The row of `item` for `COPY … FROM STDIN` (text format) without its last field,
/// `applied_at`, and the end of line: made while the page is read ahead, off the path of
/// the database transaction.
fn row_start(
    event: &stellar_rpc_client::Event,
    contract_id: uuid::Uuid,
    tx_hash: &str,
    name: Option<&str>,
    topics_json: &serde_json::Value,
    value_json: &serde_json::Value,
    ignored: bool,
) -> String {
    let topics_xdr = format!(
        "{{{}}}",
        event
            .topic
            .iter()
            .map(|t| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut out = String::with_capacity(1_024);
    copy_fields(
        &mut out,
        &[
            // The network goes first in the finished row.
            Some(&event.id),
            Some(&contract_id.to_string()),
            Some(&event.contract_id),
            Some(&event.ledger.to_string()),
            Some(&event.ledger_closed_at),
            Some(tx_hash),
            name,
            Some(&topics_xdr),
            Some(&event.value),
            Some(&topics_json.to_string()),
            Some(&value_json.to_string()),
            Some(if ignored { "ignored" } else { "applied" }),
        ],
    );
    out
}

/// Finishes `item`'s row: the network first, `applied_at` last.
fn row(out: &mut String, network: &str, item: &Incoming, now: &str) {
    escape(out, network);
    out.push('\t');
    out.push_str(&item.copy_row_start);
    out.push('\t');
    escape(out, now);
    out.push('\n');
}
