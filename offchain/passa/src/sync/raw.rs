//! Storing a page's raw events in `chain_events`, unique by RPC event id.
//!
//! The ids already stored are looked up first and only the new events are written, with
//! `COPY` (a backfill writes hundreds of thousands of these rows, and `COPY` is the fastest
//! way PostgreSQL takes rows in). That is safe because only the holder of the sync's advisory
//! lock writes `chain_events`, on this same connection. Events with nothing to mirror go in
//! final (`ignored`); the others as `applied`, what nearly all of them become, and the few that
//! are parked are changed within the same transaction.

use std::collections::HashSet;

use sqlx::PgConnection;

use super::source::Incoming;

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

/// Stores the events of `incoming` not stored before; returns their ids. `now` is the
/// database transaction's `now()`, as text, for `applied_at`.
///
/// # Errors
/// The database's.
pub(super) async fn store_new(
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
pub(super) fn row_start(
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

/// Appends one row of `COPY … FROM STDIN`'s text format: the fields tab-separated, `None`
/// as NULL.
pub(super) fn copy_row(out: &mut String, fields: &[Option<&str>]) {
    copy_fields(out, fields);
    out.push('\n');
}

/// The fields of [`copy_row`] without the end of line.
fn copy_fields(out: &mut String, fields: &[Option<&str>]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        match field {
            Some(text) => escape(out, text),
            None => out.push_str("\\N"),
        }
    }
}

/// Sends `rows` (made with [`copy_row`]) through `statement`, a `COPY … FROM STDIN`;
/// returns how many went in.
pub(super) async fn copy_in(
    db: &mut PgConnection,
    statement: &str,
    rows: String,
) -> Result<u64, sqlx::Error> {
    let mut copy = db.copy_in_raw(statement).await?;
    copy.send(rows.into_bytes()).await?;
    copy.finish().await
}

/// `text` as a field of COPY's text format: backslash, tab (the delimiter), newline and
/// carriage return escaped; nothing else is special.
fn escape(out: &mut String, text: &str) {
    let mut rest = text;
    // Copied a run at a time: fields rarely hold anything to escape (ids, numbers, base64).
    while let Some(at) = rest.find(['\\', '\t', '\n', '\r']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'\\' => "\\\\",
            b'\t' => "\\t",
            b'\n' => "\\n",
            _ => "\\r",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn copy_fields_escape_what_the_text_format_reserves() {
        let mut out = String::new();
        escape(&mut out, "a\\b\tc\nd\re\"f");
        assert_eq!(out, "a\\\\b\\tc\\nd\\re\"f");
        out.clear();
        escape(&mut out, "\\\\é\r\n\t€");
        assert_eq!(out, "\\\\\\\\é\\r\\n\\t€");
        out.clear();
        escape(&mut out, "plain");
        assert_eq!(out, "plain");
    }
}
