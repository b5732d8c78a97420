//! The contracts a sync follows: those of the registry on its network, active or paused,
//! with the ledger each was deployed in and whether the sync has covered it since.

use std::collections::HashMap;

use sqlx::PgConnection;
use uuid::Uuid;

use crate::cursor::{Followed, MAX_FILTERS, MAX_IDS_PER_FILTER};
use crate::error::{db, SyncError};
use passa_db::registry;
use passa_stellar::network::NetworkName;

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

/// The followed contracts of `network` by address.
///
/// # Errors
/// [`SyncError::NoContracts`], [`SyncError::TooManyContracts`], the database's.
pub(crate) async fn followed(
    conn: &mut PgConnection,
    network: NetworkName,
) -> Result<HashMap<String, Followed>, SyncError> {
    let rows = registry::list(&mut *conn, Some(network.as_str()))
        .await
        .map_err(db("reading the contract registry"))?;
    let ledgers: Vec<(Uuid, Option<i64>, bool)> = sqlx::query_as(CONTRACT_LEDGERS)
        .bind(network.as_str())
        .fetch_all(&mut *conn)
        .await
        .map_err(db("reading the deployment ledgers"))?;
    let ledgers: HashMap<Uuid, (Option<u32>, bool)> = ledgers
        .into_iter()
        .map(|(id, ledger, covered)| (id, (ledger.and_then(|l| u32::try_from(l).ok()), covered)))
        .collect();
    let followed: HashMap<String, Followed> = rows
        .into_iter()
        .filter(|c| c.status == "active" || c.status == "paused")
        .map(|c| {
            let (deployed, covered) = ledgers.get(&c.id).copied().unwrap_or((None, false));
            let followed = Followed {
                id: c.id,
                kind: c.kind,
                deployed,
                covered,
            };
            (c.address, followed)
        })
        .collect();
    if followed.is_empty() {
        return Err(SyncError::NoContracts { network });
    }
    let max = MAX_IDS_PER_FILTER * MAX_FILTERS;
    if followed.len() > max {
        return Err(SyncError::TooManyContracts {
            network,
            count: followed.len(),
            max,
        });
    }
    Ok(followed)
}

/// Records the not yet covered of `contracts` as followed from `ledger` on.
pub(crate) async fn mark_covered(
    conn: &mut PgConnection,
    network: NetworkName,
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
        .bind(network.as_str())
        .bind(i64::from(ledger.max(1)))
        .execute(conn)
        .await
        .map_err(db("recording the followed contracts"))?;
    Ok(())
}
