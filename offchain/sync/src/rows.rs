//! The rows every applied event writes besides its own: the transaction that emitted it
//! (`transactions`, confirmed in its ledger) and the audit trail of the change (`audit_logs`).
//! Both are written a run at a time, one statement each, so a run of purchases costs the same
//! few statements as one event.

use std::collections::{HashMap, HashSet};

use sqlx::PgConnection;
use uuid::Uuid;

use crate::decode::Decoded;

/// Where an event comes from: enough to write its rows.
#[derive(Debug, Clone)]
pub(crate) struct Origin<'a> {
    pub network: &'a str,
    /// The RPC event id.
    pub event_id: &'a str,
    /// `smart_contracts.contract_id` of the emitting contract.
    pub contract_id: Uuid,
    /// Its `C…` address.
    pub contract: &'a str,
    pub ledger: u32,
    /// Ledger close time, RFC 3339.
    pub closed_at: &'a str,
    pub tx_hash: &'a str,
    /// The transaction's source and fee, when getTransaction told them.
    pub tx: Option<&'a TxInfo>,
}

/// What getTransaction says about an event's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TxInfo {
    /// The source account (the inner transaction's, for a fee bump), strkey.
    pub source: String,
    /// The fee charged, stroops.
    pub fee_charged: i64,
}

/// The transactions of applied events, confirmed in their ledger: one row per hash (the first
/// event's values; a later event of the same transaction only fills in what is missing).
/// A row made from ignored events only (`metadata.ignored_events_only`, see
/// [`ignored_type`]) takes an applied event's contract, address, type and metadata (and its
/// event, as any row missing one does) when one comes, so the row is the same whichever page
/// each part of its transaction came in.
const UPSERT_TRANSACTIONS: &str = "
INSERT INTO transactions (transaction_hash, network, transaction_type, status, smart_contract_id,
                          event_id, to_address, block_number, block_timestamp, confirmed_at,
                          from_address, gas_fee, amount, metadata)
SELECT x.hash, $1, x.kind, 'confirmed', x.contract_id, x.event, x.contract, x.ledger,
       x.closed_at::timestamptz, x.closed_at::timestamptz, x.source, x.fee::numeric / 10000000,
       x.amount::numeric / 10000000,
       CASE WHEN x.ignored_only
            THEN jsonb_build_object('source', 'passa sync', 'ignored_events_only', true)
            ELSE jsonb_build_object('source', 'passa sync') END
  FROM unnest($2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::bigint[],
              $8::text[], $9::text[], $10::bigint[], $11::text[], $12::bool[])
       AS x(hash, kind, contract_id, event, contract, ledger, closed_at, source, fee, amount,
            ignored_only)
ON CONFLICT (transaction_hash) DO UPDATE
   SET status = 'confirmed',
       block_number = COALESCE(transactions.block_number, EXCLUDED.block_number),
       block_timestamp = COALESCE(transactions.block_timestamp, EXCLUDED.block_timestamp),
       confirmed_at = COALESCE(transactions.confirmed_at, EXCLUDED.confirmed_at),
       event_id = COALESCE(transactions.event_id, EXCLUDED.event_id),
       from_address = COALESCE(transactions.from_address, EXCLUDED.from_address),
       gas_fee = COALESCE(transactions.gas_fee, EXCLUDED.gas_fee),
       amount = COALESCE(transactions.amount, EXCLUDED.amount),
       error_message = NULL,
       transaction_type = CASE WHEN transactions.metadata ? 'ignored_events_only'
                               THEN EXCLUDED.transaction_type
                               ELSE transactions.transaction_type END,
       smart_contract_id = CASE WHEN transactions.metadata ? 'ignored_events_only'
                                THEN EXCLUDED.smart_contract_id
                                ELSE transactions.smart_contract_id END,
       to_address = CASE WHEN transactions.metadata ? 'ignored_events_only'
                         THEN EXCLUDED.to_address ELSE transactions.to_address END,
       metadata = CASE WHEN transactions.metadata ? 'ignored_events_only'
                       THEN EXCLUDED.metadata ELSE transactions.metadata END
 WHERE transactions.status <> 'confirmed'
    OR (transactions.event_id IS NULL AND EXCLUDED.event_id IS NOT NULL)
    OR (transactions.from_address IS NULL AND EXCLUDED.from_address IS NOT NULL)
    OR (transactions.gas_fee IS NULL AND EXCLUDED.gas_fee IS NOT NULL)
    OR (transactions.amount IS NULL AND EXCLUDED.amount IS NOT NULL)
    OR (transactions.metadata ? 'ignored_events_only'
        AND NOT EXCLUDED.metadata ? 'ignored_events_only')";

const TRANSACTION_IDS: &str = "
SELECT transaction_hash::text, transaction_id FROM transactions
 WHERE transaction_hash = ANY($1::char(64)[])";

const INSERT_AUDIT: &str = "
INSERT INTO audit_logs (user_id, action, resource_type, resource_id, new_values, transaction_hash,
                        ledger, metadata, old_values)
SELECT x.user_id, x.action, x.resource_type, x.resource_id, x.new_values, x.hash, x.ledger,
       jsonb_build_object('source', 'passa sync', 'chain_event_id', x.chain_event,
                          'contract', x.contract), x.old_values
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[],
              $7::bigint[], $8::text[], $9::text[], $10::jsonb[])
       AS x(user_id, action, resource_type, resource_id, new_values, hash, ledger, chain_event,
            contract, old_values)";

/// `transactions.transaction_type` for an event.
fn transaction_type(decoded: &Decoded, name: Option<&str>) -> &'static str {
    match decoded {
        Decoded::OrganizerVerified { .. } | Decoded::OrganizerRevoked { .. } => {
            "organizer_verification"
        }
        Decoded::EventCreated { .. }
        | Decoded::EventPostponed { .. }
        | Decoded::EventCancelled { .. } => "event_management",
        Decoded::Purchased { .. } => "ticket_purchase",
        Decoded::Transfer { .. } => "ticket_transfer",
        Decoded::Listed { .. } | Decoded::Delisted { .. } | Decoded::Resold { .. } => {
            "ticket_resale"
        }
        Decoded::CheckedIn { .. } => "ticket_check_in",
        Decoded::Refunded { .. } => "ticket_refund",
        Decoded::ContributionOpened { .. }
        | Decoded::ContributionApproved { .. }
        | Decoded::ContributionRejected { .. } => "attribution",
        Decoded::Claimed { .. } => "revenue_claim",
        Decoded::Settled { .. } => "revenue_settlement",
        Decoded::Ignored => name.map_or("other", ignored_type),
    }
}

/// The type of a transaction whose events the mirror has nothing to apply from, by the
/// name of one of them: the type of the call that emits it, the same as the call's applied
/// event gives (a mint comes only with a purchase, a burn and `refund_paid` with a refund,
/// `referral_rate_set` with an approved commission, `attribution_locked` with a settlement),
/// so a transaction split over two pages gets one type either way.
fn ignored_type(name: &str) -> &'static str {
    match name {
        "admin_transfer_started" | "admin_transferred" | "paused" | "unpaused" => "contract_admin",
        "upgraded" => "contract_upgrade",
        "mint" => "ticket_purchase",
        "burn" | "refund_paid" => "ticket_refund",
        "gate_operator_set" | "gate_operator_removed" => "event_management",
        "referral_rate_set" => "attribution",
        "attribution_locked" => "revenue_settlement",
        _ => "other",
    }
}

/// The amount a transaction moved, raw units, where its event says it.
fn amount_of(decoded: &Decoded) -> Option<i128> {
    match decoded {
        Decoded::Purchased { amount, .. }
        | Decoded::Refunded { amount, .. }
        | Decoded::Claimed { amount, .. } => Some(*amount),
        Decoded::Resold { price, .. } => Some(*price),
        _ => None,
    }
}

/// The event (database UUID) an event concerns, when it names one.
fn event_of(decoded: &Decoded) -> Option<Uuid> {
    match decoded {
        Decoded::EventCreated { event, .. }
        | Decoded::EventPostponed { event, .. }
        | Decoded::EventCancelled { event, .. }
        | Decoded::Purchased { event, .. }
        | Decoded::CheckedIn { event, .. }
        | Decoded::Refunded { event, .. }
        | Decoded::ContributionOpened { event, .. }
        | Decoded::ContributionApproved { event, .. }
        | Decoded::ContributionRejected { event, .. }
        | Decoded::Claimed { event, .. }
        | Decoded::Settled { event, .. } => Some(*event),
        _ => None,
    }
}

/// The transaction behind an applied event, as `transactions` records it.
pub(crate) struct TxRow<'a> {
    pub origin: &'a Origin<'a>,
    pub decoded: &'a Decoded,
    /// The event's name: what an ignored event's transaction is (see [`ignored_type`]).
    pub name: Option<&'a str>,
}

/// Records the transactions that emitted applied events (confirmed, in their ledger) and
/// returns their `transaction_id`s by hash.
pub(crate) async fn record_transactions(
    db: &mut PgConnection,
    rows: &[TxRow<'_>],
) -> Result<HashMap<String, Uuid>, sqlx::Error> {
    let mut seen = HashSet::new();
    let rows: Vec<&TxRow> = rows
        .iter()
        .filter(|r| seen.insert(r.origin.tx_hash))
        .collect();
    let Some(first) = rows.first() else {
        return Ok(HashMap::new());
    };
    let column = |f: &dyn Fn(&TxRow) -> Option<String>| -> Vec<Option<String>> {
        rows.iter().map(|r| f(r)).collect()
    };
    let hashes: Vec<String> = rows.iter().map(|r| r.origin.tx_hash.to_owned()).collect();
    sqlx::query(UPSERT_TRANSACTIONS)
        .bind(first.origin.network)
        .bind(&hashes)
        .bind(column(&|r| {
            Some(transaction_type(r.decoded, r.name).to_owned())
        }))
        .bind(
            rows.iter()
                .map(|r| r.origin.contract_id)
                .collect::<Vec<_>>(),
        )
        .bind(rows.iter().map(|r| event_of(r.decoded)).collect::<Vec<_>>())
        .bind(column(&|r| Some(r.origin.contract.to_owned())))
        .bind(
            rows.iter()
                .map(|r| i64::from(r.origin.ledger))
                .collect::<Vec<_>>(),
        )
        .bind(column(&|r| Some(r.origin.closed_at.to_owned())))
        .bind(column(&|r| r.origin.tx.map(|t| t.source.clone())))
        .bind(
            rows.iter()
                .map(|r| r.origin.tx.map(|t| t.fee_charged))
                .collect::<Vec<_>>(),
        )
        .bind(column(&|r| amount_of(r.decoded).map(|a| a.to_string())))
        .bind(
            rows.iter()
                .map(|r| matches!(r.decoded, Decoded::Ignored))
                .collect::<Vec<_>>(),
        )
        .execute(&mut *db)
        .await?;
    let ids: Vec<(String, Uuid)> = sqlx::query_as(TRANSACTION_IDS)
        .bind(&hashes)
        .fetch_all(db)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Records the transaction that emitted an applied event and returns its `transaction_id`.
pub(crate) async fn record_transaction(
    db: &mut PgConnection,
    origin: &Origin<'_>,
    decoded: &Decoded,
) -> Result<Uuid, sqlx::Error> {
    let row = TxRow {
        origin,
        decoded,
        name: None,
    };
    let ids = record_transactions(db, &[row]).await?;
    ids.get(origin.tx_hash)
        .copied()
        .ok_or_else(|| sqlx::Error::RowNotFound)
}

/// One `audit_logs` row of an applied event: `chain.<action>` on a resource.
pub(crate) struct AuditRow<'a> {
    pub origin: &'a Origin<'a>,
    pub user: Option<Uuid>,
    pub action: &'static str,
    pub resource: (&'static str, String),
    /// What the change replaced (`None` for a new row).
    pub old_values: Option<&'a serde_json::Value>,
    pub new_values: &'a serde_json::Value,
}

/// Appends the changes to `audit_logs`, in order.
pub(crate) async fn audit_all(
    db: &mut PgConnection,
    rows: &[AuditRow<'_>],
) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let text = |f: &dyn Fn(&AuditRow) -> String| rows.iter().map(f).collect::<Vec<_>>();
    sqlx::query(INSERT_AUDIT)
        .bind(rows.iter().map(|r| r.user).collect::<Vec<_>>())
        .bind(text(&|r| format!("chain.{}", r.action)))
        .bind(text(&|r| r.resource.0.to_owned()))
        .bind(text(&|r| r.resource.1.clone()))
        .bind(rows.iter().map(|r| r.new_values).collect::<Vec<_>>())
        .bind(text(&|r| r.origin.tx_hash.to_owned()))
        .bind(
            rows.iter()
                .map(|r| i64::from(r.origin.ledger))
                .collect::<Vec<_>>(),
        )
        .bind(text(&|r| r.origin.event_id.to_owned()))
        .bind(text(&|r| r.origin.contract.to_owned()))
        .bind(rows.iter().map(|r| r.old_values).collect::<Vec<_>>())
        .execute(db)
        .await?;
    Ok(())
}

/// Appends one change to `audit_logs`: what it replaced (`old_values`), and the chain event's
/// data as the new values.
pub(crate) async fn audit_change(
    db: &mut PgConnection,
    origin: &Origin<'_>,
    user: Option<Uuid>,
    action: &'static str,
    resource: (&'static str, String),
    old_values: Option<&serde_json::Value>,
    new_values: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    audit_all(
        db,
        &[AuditRow {
            origin,
            user,
            action,
            resource,
            old_values,
            new_values,
        }],
    )
    .await
}
