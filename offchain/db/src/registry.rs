//! The contract registry as everyone reads it: which addresses of a network are the
//! platform's contracts (`smart_contracts`), what they run and their status. The sync follows
//! them, `verify` reads them back, the CLI lists them. Its writes (registering, activating,
//! recording upgrades and their transactions) are `passa-deploy`'s.
//!
//! Every statement is a constant below, exercised against the real schema by the deploy tests.

use serde_json::Value as Json;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

/// The three Passa contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum ContractKind {
    /// Tickets as SEP-50 NFTs: events, tiers, sale, resale, check-in, refunds.
    Ticketing,
    /// Who contributed to an event and their share.
    Attribution,
    /// The events' escrow, settlement and claims.
    Revenue,
}

impl ContractKind {
    /// All three, in deployment order.
    pub const ALL: [ContractKind; 3] = [
        ContractKind::Ticketing,
        ContractKind::Attribution,
        ContractKind::Revenue,
    ];

    /// Its position in [`ContractKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The value of `smart_contracts.contract_type`.
    pub fn db_type(self) -> &'static str {
        match self {
            ContractKind::Ticketing => "ticketing",
            ContractKind::Attribution => "attribution",
            ContractKind::Revenue => "revenue_distribution",
        }
    }

    /// The kind a `contract_type` value names.
    pub fn from_db_type(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.db_type() == value)
    }

    /// The wasm file `scripts/build-contracts.sh` writes for it (`passa_ticketing.wasm`).
    pub fn wasm_file(self) -> String {
        format!("passa_{}.wasm", self.name())
    }

    /// The kind whose short name is `name` (any case).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The short name.
    pub fn name(self) -> &'static str {
        match self {
            ContractKind::Ticketing => "ticketing",
            ContractKind::Attribution => "attribution",
            ContractKind::Revenue => "revenue",
        }
    }
}

impl std::fmt::Display for ContractKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One `smart_contracts` row.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredContract {
    /// `contract_id`.
    pub id: Uuid,
    /// The `C…` address.
    pub address: String,
    /// Which contract.
    pub kind: ContractKind,
    /// The network name.
    pub network: String,
    /// Hex SHA-256 of the wasm it runs, once known.
    pub wasm_hash: Option<String>,
    /// Starts at 1, +1 per upgrade.
    pub version: i32,
    /// deploying, active, paused, deprecated.
    pub status: String,
    /// The `G…` account that deployed it.
    pub deployer: Option<String>,
    /// When its creation was confirmed.
    pub deployed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The hash of its creation transaction, when recorded.
    pub deployment_tx_hash: Option<String>,
    /// Deployment details (salt, deployment name, constructor arguments).
    pub metadata: Json,
}

const SELECT_CONTRACTS: &str = "
SELECT c.contract_id, c.contract_address, c.contract_type, c.network, c.wasm_hash, c.version,
       c.status, c.deployer_address, c.deployed_at, t.transaction_hash, c.metadata
  FROM smart_contracts c
  LEFT JOIN transactions t ON t.transaction_id = c.deployment_transaction_id";

fn row_to_contract(row: &sqlx::postgres::PgRow) -> Result<RegisteredContract, sqlx::Error> {
    let kind: String = row.try_get(2)?;
    Ok(RegisteredContract {
        id: row.try_get(0)?,
        address: row.try_get(1)?,
        kind: ContractKind::from_db_type(&kind).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "contract_type".to_owned(),
            source: format!("unknown contract type {kind}").into(),
        })?,
        network: row.try_get(3)?,
        wasm_hash: row.try_get(4)?,
        version: row.try_get(5)?,
        status: row.try_get(6)?,
        deployer: row.try_get(7)?,
        deployed_at: row.try_get(8)?,
        deployment_tx_hash: row.try_get(9)?,
        metadata: row.try_get(10)?,
    })
}

/// Every registered contract, optionally of one network, by network, type and address.
///
/// # Errors
/// The database's.
pub async fn list(
    conn: &mut PgConnection,
    network: Option<&str>,
) -> Result<Vec<RegisteredContract>, sqlx::Error> {
    let sql = format!(
        "{SELECT_CONTRACTS} WHERE $1::text IS NULL OR c.network = $1 \
         ORDER BY c.network, c.contract_type, c.created_at"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(network)
        .fetch_all(conn)
        .await?
        .iter()
        .map(row_to_contract)
        .collect()
}

/// The contract registered at `address`, if any.
///
/// # Errors
/// The database's.
pub async fn find(
    conn: &mut PgConnection,
    address: &str,
) -> Result<Option<RegisteredContract>, sqlx::Error> {
    let sql = format!("{SELECT_CONTRACTS} WHERE c.contract_address = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(address)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(row_to_contract)
        .transpose()
}
