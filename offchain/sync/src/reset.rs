//! `passa sync reset`: after a network was reset (its chain is gone), archive that network's
//! mirror to files and remove it, so that a new deployment on the new chain is mirrored from
//! scratch. Off-chain data stays: users, wallets, profiles, and the events themselves, which go
//! back to `draft` (without their chain columns) for their organizers to publish again.
//!
//! Everything happens in one transaction holding the network's sync lock: the archive
//! ([`passa_db::archive`]: gzip COPY files with checksums and a manifest) is written from the
//! same snapshot the deletes then remove, and an archive that cannot be written rolls the
//! whole reset back. Organizers' verification is left as it is: it is not recorded per
//! network, and arrives again when the admin verifies them on the new deployment.

use std::path::Path;

use sqlx::{Acquire as _, PgConnection};
use uuid::Uuid;

use crate::error::{db, SyncError};
use passa_db::archive::{self, Manifest};
use passa_stellar::network::NetworkName;

/// What a reset removed, and where it went.
#[derive(Debug, Clone)]
pub struct ResetReport {
    /// The archive written.
    pub manifest: Manifest,
    /// Registered contracts removed.
    pub contracts: usize,
    /// Events returned to draft.
    pub events_to_draft: u64,
}

const TRY_LOCK: &str = "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))";

const CONTRACTS: &str = "SELECT contract_id FROM smart_contracts WHERE network = $1";

/// Back to a draft: every column the chain filled, cleared; the descriptive ones kept.
const EVENTS_TO_DRAFT: &str = "
UPDATE events
   SET smart_contract_id = NULL, onchain_status = NULL, onchain_ledger = NULL, status = 'draft',
       published_at = NULL, cancelled_at = NULL, refund_deadline = NULL, tickets_sold = 0,
       gross_sales_raw = 0, royalties_raw = 0, refunds_raw = 0, commissions_raw = 0,
       tiers = NULL, organizer_address = NULL, payment_token_address = NULL,
       sales_start_at = NULL, sales_end_at = NULL, tickets_transferable = NULL,
       tickets_resaleable = NULL, tickets_refundable = NULL, resale_cap_bps = NULL,
       royalty_bps = NULL
 WHERE smart_contract_id = ANY($1)";

/// The deletes, children first; `$1` the network, `$2` its contracts.
const DELETES: [(&str, &str); 7] = [
    (
        "ticket transfers",
        "DELETE FROM ticket_transfers WHERE network = $1",
    ),
    (
        "tickets",
        "DELETE FROM tickets WHERE smart_contract_id = ANY($2)",
    ),
    (
        "contributions",
        "DELETE FROM attribution WHERE contributor_address IS NOT NULL
            AND event_id IN (SELECT event_id FROM events WHERE smart_contract_id = ANY($2))",
    ),
    ("raw events", "DELETE FROM chain_events WHERE network = $1"),
    ("the cursor", "DELETE FROM sync_cursors WHERE network = $1"),
    (
        "transactions",
        "DELETE FROM transactions WHERE network = $1",
    ),
    (
        "contracts",
        "DELETE FROM smart_contracts WHERE network = $1",
    ),
];

const AUDIT: &str = "
INSERT INTO audit_logs (action, resource_type, resource_id, new_values, metadata)
VALUES ('chain.network_reset', 'network', $1, $2, jsonb_build_object('source', 'passa sync reset'))";

/// Archives `network`'s mirror into `archive_dir` and removes it (see the module's doc).
///
/// # Errors
/// A sync running on the network (its lock is held); the archive's and the database's
/// errors, after which nothing has changed.
pub async fn reset(
    conn: &mut PgConnection,
    network: NetworkName,
    archive_dir: &Path,
) -> Result<ResetReport, SyncError> {
    let mut tx = conn.begin().await.map_err(db("beginning the reset"))?;
    let free: bool = sqlx::query_scalar(TRY_LOCK)
        .bind(format!("passa sync {network}"))
        .fetch_one(&mut *tx)
        .await
        .map_err(db("taking the sync lock"))?;
    if !free {
        return Err(SyncError::Busy { network });
    }
    let contracts: Vec<Uuid> = sqlx::query_scalar(CONTRACTS)
        .bind(network.as_str())
        .fetch_all(&mut *tx)
        .await
        .map_err(db("reading the network's contracts"))?;
    let manifest = archive::export(
        &mut tx,
        archive_dir,
        &format!("network reset: {network}"),
        &archived_tables(network, &contracts),
    )
    .await
    .map_err(|e| SyncError::Archive(e.to_string()))?;
    let events_to_draft = sqlx::query(EVENTS_TO_DRAFT)
        .bind(&contracts)
        .execute(&mut *tx)
        .await
        .map_err(db("returning the network's events to draft"))?
        .rows_affected();
    for (what, statement) in DELETES {
        sqlx::query(statement)
            .bind(network.as_str())
            .bind(&contracts)
            .execute(&mut *tx)
            .await
            .map_err(|source| SyncError::Database {
                what: "removing the network's mirror",
                source,
            })
            .inspect_err(|_| tracing::warn!(%network, what, "reset failed"))?;
    }
    let summary = serde_json::json!({
        "archive": archive_dir.display().to_string(),
        "contracts": contracts.len(),
        "events_to_draft": events_to_draft,
        "tables": manifest.tables.iter().map(|t| (t.table.clone(), t.rows)).collect::<std::collections::BTreeMap<_, _>>(),
    });
    sqlx::query(AUDIT)
        .bind(network.as_str())
        .bind(summary)
        .execute(&mut *tx)
        .await
        .map_err(db("auditing the reset"))?;
    tx.commit().await.map_err(db("committing the reset"))?;
    Ok(ResetReport {
        manifest,
        contracts: contracts.len(),
        events_to_draft,
    })
}

/// What is archived: every row the reset changes or removes, as it was.
fn archived_tables(network: NetworkName, contracts: &[Uuid]) -> Vec<(&'static str, String)> {
    // The network is one of a closed set of names and the ids are UUIDs: safe to inline.
    let n = network.as_str();
    let ids = if contracts.is_empty() {
        "NULL".to_owned()
    } else {
        contracts
            .iter()
            .map(|id| format!("'{id}'"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let of_network = |table: &str| format!("SELECT * FROM {table} WHERE network = '{n}'");
    vec![
        ("smart_contracts", of_network("smart_contracts")),
        ("transactions", of_network("transactions")),
        ("sync_cursors", of_network("sync_cursors")),
        ("sync_contracts", of_network("sync_contracts")),
        ("chain_events", of_network("chain_events")),
        ("parked_events", of_network("parked_events")),
        ("ticket_transfers", of_network("ticket_transfers")),
        (
            "tickets",
            format!("SELECT * FROM tickets WHERE smart_contract_id IN ({ids})"),
        ),
        (
            "events",
            format!("SELECT * FROM events WHERE smart_contract_id IN ({ids})"),
        ),
        (
            "attribution",
            format!(
                "SELECT * FROM attribution WHERE contributor_address IS NOT NULL AND event_id IN \
                 (SELECT event_id FROM events WHERE smart_contract_id IN ({ids}))"
            ),
        ),
    ]
}
