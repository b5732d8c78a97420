//! The contract registry's writes: registering a contract as it is deployed (`deploying` →
//! `active`), its status and upgrades, the `transactions` that deployed and changed it
//! (recorded as pending before they are sent) and the `audit_logs` trail of those changes.
//! Reading the registry is `passa_db::registry`'s.
//!
//! Every statement is a constant below, exercised against the real schema by the deploy tests.

use serde_json::Value as Json;
use sqlx::PgConnection;
use uuid::Uuid;

pub use passa_db::registry::{find, list, ContractKind, RegisteredContract};
use passa_stellar::network::NetworkName;

/// A contract about to be created.
#[derive(Debug, Clone)]
pub struct NewContract<'a> {
    /// The `C…` address (known before sending, from the salt).
    pub address: &'a str,
    /// Which contract.
    pub kind: ContractKind,
    /// The network.
    pub network: NetworkName,
    /// The wasm it will run, hex.
    pub wasm_hash: &'a str,
    /// The contract spec as JSON.
    pub abi: &'a Json,
    /// The deployer's `G…` address.
    pub deployer: &'a str,
    /// Salt, deployment name, constructor arguments.
    pub metadata: &'a Json,
}

/// A transaction about to be sent, recorded first so that a crash cannot lose track of it.
#[derive(Debug, Clone)]
pub struct PendingTx<'a> {
    /// Hex hash.
    pub hash: &'a str,
    /// The network.
    pub network: NetworkName,
    /// `transactions.transaction_type`.
    pub kind: &'a str,
    /// The contract it concerns, when registered.
    pub contract_id: Option<Uuid>,
    /// The function or operation (`upload_contract_wasm`, `create_contract`, `upgrade`, …).
    pub function: &'a str,
    /// The source account.
    pub from: &'a str,
    /// The contract address, when there is one.
    pub to: Option<&'a str>,
    /// The time bound, Unix seconds, kept in metadata so a later run knows when it is dead.
    pub valid_until: u64,
}

/// A change to a registered contract, for `audit_logs`.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// e.g. `contract.upgrade`.
    pub action: &'a str,
    /// The contract's `contract_id`.
    pub contract_id: Uuid,
    /// Before.
    pub old: Json,
    /// After.
    pub new: Json,
    /// The transaction that made the change.
    pub tx_hash: &'a str,
    /// Its ledger.
    pub ledger: u32,
}

const INSERT_DEPLOYING: &str = "
INSERT INTO smart_contracts (contract_address, contract_type, contract_name, network, wasm_hash,
                             contract_abi, deployer_address, status, metadata)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'deploying', $8)
ON CONFLICT (contract_address) DO UPDATE SET updated_at = now()
RETURNING contract_id";

const INSERT_PENDING_TX: &str = "
INSERT INTO transactions (transaction_hash, network, transaction_type, status, smart_contract_id,
                          function_name, from_address, to_address, submitted_at, metadata)
VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, now(), jsonb_build_object('valid_until', $8::bigint))
ON CONFLICT (transaction_hash) DO NOTHING";

const SET_DEPLOYMENT_TX: &str = "
UPDATE smart_contracts
   SET deployment_transaction_id = (SELECT transaction_id FROM transactions WHERE transaction_hash = $2)
 WHERE contract_id = $1";

const CONFIRM_TX: &str = "
UPDATE transactions
   SET status = 'confirmed', block_number = $2, block_timestamp = to_timestamp($3),
       confirmed_at = now(), gas_fee = $4::numeric / 10000000, error_message = NULL
 WHERE transaction_hash = $1";

const FAIL_TX: &str = "
UPDATE transactions SET status = 'failed', error_message = $2, block_number = $3
 WHERE transaction_hash = $1 AND status = 'pending'";

const PENDING_TXS: &str = "
SELECT transaction_hash, (metadata->>'valid_until')::bigint
  FROM transactions
 WHERE status = 'pending' AND network = $1 AND from_address = $2
 ORDER BY created_at";

const ACTIVATE: &str = "
UPDATE smart_contracts
   SET status = 'active', wasm_hash = $2, deployed_at = coalesce(deployed_at, to_timestamp($3))
 WHERE contract_id = $1 AND status = 'deploying'";

const SET_STATUS: &str = "UPDATE smart_contracts SET status = $2 WHERE contract_id = $1";

const RECORD_UPGRADE: &str = "
UPDATE smart_contracts
   SET wasm_hash = $2, contract_abi = $3, version = version + 1
 WHERE contract_id = $1
RETURNING version";

const INSERT_AUDIT: &str = "
INSERT INTO audit_logs (action, resource_type, resource_id, old_values, new_values,
                        transaction_hash, ledger, metadata)
VALUES ($1, 'smart_contract', $2, $3, $4, $5, $6, jsonb_build_object('source', 'passa'))";

/// Registers a contract as `deploying` (or finds the row a previous run left) and returns its
/// `contract_id`.
///
/// # Errors
/// The database's (e.g. a malformed address refused by a check constraint).
pub async fn insert_deploying(
    conn: &mut PgConnection,
    new: &NewContract<'_>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(INSERT_DEPLOYING)
        .bind(new.address)
        .bind(new.kind.db_type())
        .bind(format!("Passa {}", new.kind))
        .bind(new.network.as_str())
        .bind(new.wasm_hash)
        .bind(new.abi)
        .bind(new.deployer)
        .bind(new.metadata)
        .fetch_one(conn)
        .await
}

/// Records a transaction as `pending` before it is sent (a second call with the same hash
/// does nothing), and links it as the contract's deployment transaction when `deployment`.
///
/// # Errors
/// The database's.
pub async fn record_pending(
    conn: &mut PgConnection,
    tx: &PendingTx<'_>,
    deployment: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(INSERT_PENDING_TX)
        .bind(tx.hash)
        .bind(tx.network.as_str())
        .bind(tx.kind)
        .bind(tx.contract_id)
        .bind(tx.function)
        .bind(tx.from)
        .bind(tx.to)
        .bind(i64::try_from(tx.valid_until).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await?;
    if let (true, Some(contract_id)) = (deployment, tx.contract_id) {
        sqlx::query(SET_DEPLOYMENT_TX)
            .bind(contract_id)
            .bind(tx.hash)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Marks a transaction confirmed in `ledger` (closed at `closed_at`, Unix seconds) with the fee
/// charged in stroops.
///
/// # Errors
/// The database's.
pub async fn confirm(
    conn: &mut PgConnection,
    hash: &str,
    ledger: u32,
    closed_at: i64,
    fee_stroops: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(CONFIRM_TX)
        .bind(hash)
        .bind(i64::from(ledger))
        .bind(closed_at as f64)
        .bind(fee_stroops)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks a pending transaction failed with `message` (and its ledger, if it reached one).
///
/// # Errors
/// The database's.
pub async fn fail(
    conn: &mut PgConnection,
    hash: &str,
    message: &str,
    ledger: Option<u32>,
) -> Result<(), sqlx::Error> {
    sqlx::query(FAIL_TX)
        .bind(hash)
        .bind(message)
        .bind(ledger.filter(|l| *l > 0).map(i64::from))
        .execute(conn)
        .await?;
    Ok(())
}

/// The transactions `from` left pending on `network`, with their time bounds (Unix seconds).
///
/// # Errors
/// The database's.
pub async fn pending(
    conn: &mut PgConnection,
    network: NetworkName,
    from: &str,
) -> Result<Vec<(String, Option<i64>)>, sqlx::Error> {
    sqlx::query_as(PENDING_TXS)
        .bind(network.as_str())
        .bind(from)
        .fetch_all(conn)
        .await
}

/// Marks a `deploying` contract `active`, running `wasm_hash`, deployed at `deployed_at` (Unix
/// seconds) unless a time is already recorded.
///
/// # Errors
/// The database's.
pub async fn activate(
    conn: &mut PgConnection,
    contract_id: Uuid,
    wasm_hash: &str,
    deployed_at: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(ACTIVATE)
        .bind(contract_id)
        .bind(wasm_hash)
        .bind(deployed_at as f64)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets a contract's status (`active`, `paused`, `deprecated`).
///
/// # Errors
/// The database's.
pub async fn set_status(
    conn: &mut PgConnection,
    contract_id: Uuid,
    status: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(SET_STATUS)
        .bind(contract_id)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records an upgrade: the new wasm and spec, version + 1. Returns the new version.
///
/// # Errors
/// The database's.
pub async fn record_upgrade(
    conn: &mut PgConnection,
    contract_id: Uuid,
    wasm_hash: &str,
    abi: &Json,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar(RECORD_UPGRADE)
        .bind(contract_id)
        .bind(wasm_hash)
        .bind(abi)
        .fetch_one(conn)
        .await
}

/// Appends to `audit_logs`.
///
/// # Errors
/// The database's.
pub async fn audit(conn: &mut PgConnection, entry: &AuditEntry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(INSERT_AUDIT)
        .bind(entry.action)
        .bind(entry.contract_id.to_string())
        .bind(&entry.old)
        .bind(&entry.new)
        .bind(entry.tx_hash)
        .bind(i64::from(entry.ledger))
        .execute(conn)
        .await?;
    Ok(())
}
