//! `passa contracts …`: the registered contracts, read from the registry and checked against
//! the chain, and their admin operations (pause, unpause, upgrade), each recorded in
//! `transactions` and `audit_logs`.

use serde_json::json;
use sqlx::{Connection, PgConnection};
use stellar_xdr as xdr;

use crate::deploy::{self, ContractWasm, DeployError};
use crate::registry::{self, AuditEntry, ContractKind, PendingTx, RegisteredContract};
use passa_stellar::keys::{self, Signer};
use passa_stellar::network::NetworkName;
use passa_stellar::rpc::{self, Included, Rpc, RpcError};

/// Why a contract command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContractsError {
    /// Nothing in the registry matches.
    #[error("no {what} is registered on {network} (see `passa contracts list`)")]
    NotRegistered {
        /// What was looked for.
        what: String,
        /// The network.
        network: String,
    },
    /// A kind matches several live contracts.
    #[error("{count} {kind} contracts are registered on {network}; name one by its address")]
    Ambiguous {
        /// The kind.
        kind: ContractKind,
        /// How many.
        count: usize,
        /// The network.
        network: String,
    },
    /// The argument is neither a kind nor a contract address.
    #[error(
        "\"{0}\" is neither a contract kind (ticketing, attribution, revenue) nor a C… address"
    )]
    BadReference(String),
    /// The contract is already in the asked state.
    #[error("{kind} at {address} is already {status}")]
    AlreadyInState {
        /// The kind.
        kind: ContractKind,
        /// Its address.
        address: String,
        /// Its status.
        status: String,
    },
    /// The upgrade's wasm is what the contract runs already.
    #[error("{kind} at {address} already runs wasm {hash}")]
    SameWasm {
        /// The kind.
        kind: ContractKind,
        /// Its address.
        address: String,
        /// The hash.
        hash: String,
    },
    /// Deploy-level failures (network, wasm, registry).
    #[error(transparent)]
    Deploy(#[from] DeployError),
}

impl From<RpcError> for ContractsError {
    fn from(e: RpcError) -> Self {
        Self::Deploy(DeployError::Rpc(e))
    }
}

impl From<sqlx::Error> for ContractsError {
    fn from(e: sqlx::Error) -> Self {
        Self::Deploy(DeployError::Db(e))
    }
}

/// Finds the registered contract `reference` names on `network`: a `C…` address, or a kind
/// (`ticketing`, `attribution`, `revenue`) when exactly one live contract of that kind is
/// registered there.
///
/// # Errors
/// [`ContractsError::NotRegistered`], [`ContractsError::Ambiguous`],
/// [`ContractsError::BadReference`].
pub async fn resolve(
    db: &mut PgConnection,
    network: NetworkName,
    reference: &str,
) -> Result<RegisteredContract, ContractsError> {
    let not_registered = |what: String| ContractsError::NotRegistered {
        what,
        network: network.to_string(),
    };
    if reference.starts_with('C') {
        keys::parse_address(reference)
            .map_err(|_| ContractsError::BadReference(reference.to_owned()))?;
        return registry::find(db, reference)
            .await?
            .filter(|c| c.network == network.as_str())
            .ok_or_else(|| not_registered(format!("contract at {reference}")));
    }
    let kind = ContractKind::from_name(reference)
        .ok_or_else(|| ContractsError::BadReference(reference.to_owned()))?;
    let mut live: Vec<_> = registry::list(db, Some(network.as_str()))
        .await?
        .into_iter()
        .filter(|c| c.kind == kind && matches!(c.status.as_str(), "active" | "paused"))
        .collect();
    match live.len() {
        0 => Err(not_registered(format!("live {kind} contract"))),
        1 => Ok(live.remove(0)),
        count => Err(ContractsError::Ambiguous {
            kind,
            count,
            network: network.to_string(),
        }),
    }
}

/// What the chain says about a registered contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainState {
    /// Hex hash of the wasm its instance runs; `None` when there is no instance.
    pub wasm_hash: Option<String>,
    /// `admin()`, when readable.
    pub admin: Option<String>,
    /// `paused()`, when the contract has that getter.
    pub paused: Option<bool>,
}

/// Reads a contract's instance and admin getters. `reader` is any existing account (reads
/// are simulations; nothing is signed or sent).
///
/// # Errors
/// [`RpcError`] when the server cannot be asked.
pub async fn chain_state(
    rpc: &Rpc,
    reader: &xdr::AccountId,
    address: &str,
) -> Result<ChainState, ContractsError> {
    let contract = keys::parse_address(address)
        .map_err(|_| ContractsError::BadReference(address.to_owned()))?;
    let wasm_hash = rpc
        .entry(&deploy::instance_key(&contract))
        .await?
        .as_ref()
        .and_then(deploy::instance_wasm_hash)
        .map(hex::encode);
    if wasm_hash.is_none() {
        return Ok(ChainState {
            wasm_hash,
            admin: None,
            paused: None,
        });
    }
    let admin = match rpc.read(reader, &contract, "admin", vec![]).await {
        Ok(xdr::ScVal::Address(a)) => Some(keys::address_strkey(&a)),
        _ => None,
    };
    let paused = match rpc.read(reader, &contract, "paused", vec![]).await {
        Ok(xdr::ScVal::Bool(b)) => Some(b),
        _ => None,
    };
    Ok(ChainState {
        wasm_hash,
        admin,
        paused,
    })
}

/// Invokes `function(args)` on `contract` signed by `signer`, recording the transaction as
/// `kind` before sending.
async fn invoke_recorded(
    rpc: &Rpc,
    db: &mut PgConnection,
    signer: &Signer,
    contract: &RegisteredContract,
    kind: &str,
    function: &str,
    args: Vec<xdr::ScVal>,
) -> Result<Included, ContractsError> {
    let address = keys::parse_address(&contract.address)
        .map_err(|_| ContractsError::BadReference(contract.address.clone()))?;
    let host_function = rpc::invoke_contract(&address, function, args)?;
    let prepared = rpc
        .prepare(
            signer,
            host_function,
            &format!("{function} on {}", contract.kind),
        )
        .await?;
    let signed = rpc.sign(prepared.tx, signer)?;
    let from = signer.address();
    let included = deploy::send_recorded(
        rpc,
        db,
        &signed,
        PendingTx {
            hash: &signed.hash,
            network: rpc.network().name,
            kind,
            contract_id: Some(contract.id),
            function,
            from: &from,
            to: Some(&contract.address),
            valid_until: signed.valid_until,
        },
        false,
    )
    .await?;
    Ok(included)
}

/// Pauses (`pause = true`) or unpauses a contract, then records its new status and an audit
/// entry in one database transaction.
///
/// # Errors
/// [`ContractsError::AlreadyInState`] when the registry says it is already there; the
/// network's refusal (e.g. the signer is not the admin) otherwise.
pub async fn set_paused(
    rpc: &Rpc,
    db: &mut PgConnection,
    signer: &Signer,
    contract: &RegisteredContract,
    pause: bool,
) -> Result<Included, ContractsError> {
    let (function, status) = if pause {
        ("pause", "paused")
    } else {
        ("unpause", "active")
    };
    if contract.status == status {
        return Err(ContractsError::AlreadyInState {
            kind: contract.kind,
            address: contract.address.clone(),
            status: status.to_owned(),
        });
    }
    let included = invoke_recorded(
        rpc,
        db,
        signer,
        contract,
        "contract_admin",
        function,
        vec![],
    )
    .await?;
    let mut tx = db.begin().await?;
    registry::set_status(&mut tx, contract.id, status).await?;
    registry::audit(
        &mut tx,
        &AuditEntry {
            action: if pause {
                "contract.pause"
            } else {
                "contract.unpause"
            },
            contract_id: contract.id,
            old: json!({ "status": contract.status }),
            new: json!({ "status": status }),
            tx_hash: &included.hash,
            ledger: included.ledger,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(included)
}

/// Upgrades a contract to `wasm` (uploaded first when the ledger lacks it): same address and
/// state, new code. Records the new hash, spec and version + 1 and an audit entry in one
/// database transaction. Returns the new version.
///
/// # Errors
/// [`ContractsError::SameWasm`]; the network's refusal (e.g. the signer is not the admin).
pub async fn upgrade(
    rpc: &Rpc,
    db: &mut PgConnection,
    signer: &Signer,
    contract: &RegisteredContract,
    wasm: &ContractWasm,
) -> Result<(Included, i32), ContractsError> {
    let new_hash = wasm.hash_hex();
    if contract.wasm_hash.as_deref() == Some(new_hash.as_str()) {
        return Err(ContractsError::SameWasm {
            kind: contract.kind,
            address: contract.address.clone(),
            hash: new_hash,
        });
    }
    if rpc.entry(&deploy::code_key(wasm.hash)).await?.is_none() {
        deploy::upload(rpc, db, signer, wasm).await?;
    }
    let hash_arg = xdr::ScVal::Bytes(xdr::ScBytes(
        wasm.hash.to_vec().try_into().map_err(RpcError::from)?,
    ));
    let included = invoke_recorded(
        rpc,
        db,
        signer,
        contract,
        "contract_upgrade",
        "upgrade",
        vec![hash_arg],
    )
    .await?;
    let mut tx = db.begin().await?;
    let version = registry::record_upgrade(&mut tx, contract.id, &new_hash, &wasm.spec).await?;
    registry::audit(
        &mut tx,
        &AuditEntry {
            action: "contract.upgrade",
            contract_id: contract.id,
            old: json!({ "wasm_hash": contract.wasm_hash, "version": contract.version }),
            new: json!({ "wasm_hash": new_hash, "version": version }),
            tx_hash: &included.hash,
            ledger: included.ledger,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((included, version))
}
