//! `passa deploy`: upload, instantiate, wire and register the three contracts.
//!
//! Everything is derived from the chain first and the registry second, so the command can be
//! run again at any time:
//! 1. each wasm is uploaded only if its code entry is not on the ledger;
//! 2. each contract's address is computed before sending, from the deployer and a salt that
//!    depends only on the deployment's name and the contract's kind — so the three
//!    constructors can take each other's addresses (that is the wiring), and a second run finds
//!    the same addresses;
//! 3. each contract missing on the ledger is registered as `deploying`, its creation
//!    transaction recorded as `pending` with its hash *before* it is sent, then sent, awaited,
//!    and the row turned `active`;
//! 4. the wiring is read back through the contracts' getters.
//!
//! A run killed anywhere resumes: transactions left `pending` are looked up (and declared
//! failed once their time bound has passed), and whatever the ledger already has is skipped.

use std::path::{Path, PathBuf};

use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use stellar_xdr::{self as xdr, Limits, WriteXdr};

use crate::registry::{self, ContractKind, NewContract, PendingTx};
use passa_stellar::keys::{address_strkey, Signer};
use passa_stellar::rpc::{self, Included, Rpc, RpcError, Signed, TxStatus};
pub use passa_stellar::rpc::{code_key, instance_key};

/// How the contracts are wired: `(contract, getter, the contract it must return)`.
pub const WIRING: [(ContractKind, &str, ContractKind); 6] = [
    (ContractKind::Ticketing, "revenue", ContractKind::Revenue),
    (
        ContractKind::Ticketing,
        "attribution",
        ContractKind::Attribution,
    ),
    (
        ContractKind::Attribution,
        "ticketing",
        ContractKind::Ticketing,
    ),
    (ContractKind::Attribution, "revenue", ContractKind::Revenue),
    (ContractKind::Revenue, "ticketing", ContractKind::Ticketing),
    (
        ContractKind::Revenue,
        "attribution",
        ContractKind::Attribution,
    ),
];

/// Default name of a deployment: the salt namespace.
pub const DEFAULT_DEPLOYMENT: &str = "main";
/// Default platform fee: 2.5 %.
pub const DEFAULT_PLATFORM_FEE_BPS: u32 = 250;
/// Default high-value threshold: 10 000 units of a 7-decimal token.
pub const DEFAULT_HIGH_VALUE_THRESHOLD: i128 = 100_000_000_000;

/// Why a deployment stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeployError {
    /// A wasm file is missing or unreadable.
    #[error(
        "cannot read {}: {source} (build the contracts with scripts/build-contracts.sh, or point \
         --wasm-dir at the directory holding passa_ticketing.wasm, passa_attribution.wasm and passa_revenue.wasm)",
        path.display()
    )]
    Wasm {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The wasm has no readable contract spec.
    #[error("{} is not a Soroban contract with a spec: {detail}", path.display())]
    NoSpec {
        /// The file.
        path: PathBuf,
        /// What the spec reader said.
        detail: String,
    },
    /// The network said no.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The registry could not be read or written.
    #[error("contract registry: {0}")]
    Db(#[from] sqlx::Error),
    /// The database schema is not up to date.
    #[error("{pending} migration(s) pending; run `passa db migrate` first")]
    Migrations {
        /// How many.
        pending: usize,
    },
    /// A contract is wired to something else than its siblings.
    #[error("{contract} at {address} answers {getter}() = {got}, expected {expected}")]
    Wiring {
        /// Which contract.
        contract: ContractKind,
        /// Its address.
        address: String,
        /// The getter.
        getter: &'static str,
        /// What it returned.
        got: String,
        /// What it should be.
        expected: String,
    },
    /// The ledger holds something unexpected at a computed address.
    #[error("{0}")]
    Unexpected(String),
}

/// What to deploy and how to configure it.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// Where `passa_ticketing.wasm`, `passa_attribution.wasm` and `passa_revenue.wasm` are.
    pub wasm_dir: PathBuf,
    /// The deployment's name; with the deployer, it determines the addresses.
    pub deployment: String,
    /// The contracts' admin; the deployer when `None`.
    pub admin: Option<xdr::ScAddress>,
    /// Where revenue's platform fee goes; the admin when `None`.
    pub treasury: Option<xdr::ScAddress>,
    /// Platform fee, basis points.
    pub platform_fee_bps: u32,
    /// Settlements above this amount (raw token units) also need the admin's signature.
    pub high_value_threshold: i128,
    /// The NFT collection's name (SEP-50 `name`).
    pub collection_name: String,
    /// The NFT collection's symbol (SEP-50 `symbol`).
    pub collection_symbol: String,
}

impl DeployOptions {
    /// Defaults for the wasm built by `scripts/build-contracts.sh` into `wasm_dir`.
    pub fn new(wasm_dir: impl Into<PathBuf>) -> Self {
        Self {
            wasm_dir: wasm_dir.into(),
            deployment: DEFAULT_DEPLOYMENT.to_owned(),
            admin: None,
            treasury: None,
            platform_fee_bps: DEFAULT_PLATFORM_FEE_BPS,
            high_value_threshold: DEFAULT_HIGH_VALUE_THRESHOLD,
            collection_name: "Passa Tickets".to_owned(),
            collection_symbol: "PASSA".to_owned(),
        }
    }
}

/// A contract's wasm, read from disk.
#[derive(Debug, Clone)]
pub struct ContractWasm {
    /// The file.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes: the code entry's key on the ledger.
    pub hash: [u8; 32],
    /// The contract spec as JSON (for `contract_abi`).
    pub spec: serde_json::Value,
}

impl ContractWasm {
    /// Reads `path` and its contract spec.
    ///
    /// # Errors
    /// [`DeployError::Wasm`], [`DeployError::NoSpec`].
    pub fn load(path: &Path) -> Result<Self, DeployError> {
        let bytes = std::fs::read(path).map_err(|source| DeployError::Wasm {
            path: path.to_owned(),
            source,
        })?;
        let no_spec = |detail: String| DeployError::NoSpec {
            path: path.to_owned(),
            detail,
        };
        let entries = soroban_spec::read::from_wasm(&bytes).map_err(|e| no_spec(e.to_string()))?;
        let spec = serde_json::to_value(&entries).map_err(|e| no_spec(e.to_string()))?;
        Ok(Self {
            path: path.to_owned(),
            hash: Sha256::digest(&bytes).into(),
            bytes,
            spec,
        })
    }

    /// The hash, hex.
    pub fn hash_hex(&self) -> String {
        hex::encode(self.hash)
    }
}

/// What one contract's deployment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Its wasm was uploaded by this run.
    Uploaded,
    /// It was created by this run.
    Created,
    /// A transaction an earlier run left pending was settled.
    Resumed,
    /// It was on the ledger already; the registry was brought up to date.
    Registered,
}

/// One contract in the report.
#[derive(Debug, Clone)]
pub struct Deployed {
    /// Which contract.
    pub kind: ContractKind,
    /// Its address.
    pub address: String,
    /// Hex wasm hash.
    pub wasm_hash: String,
    /// What this run did for it (empty: nothing to do).
    pub actions: Vec<Action>,
}

/// What a deployment run did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The network name.
    pub network: String,
    /// The deployer.
    pub deployer: String,
    /// The three contracts, in [`ContractKind::ALL`] order.
    pub contracts: Vec<Deployed>,
}

impl Report {
    /// Whether the run changed nothing, on the ledger or in the registry.
    pub fn unchanged(&self) -> bool {
        self.contracts.iter().all(|c| c.actions.is_empty())
    }
}

/// Receives progress as the deployment goes (a progress bar, a log, nothing).
pub trait Progress {
    /// The run will take `steps` steps.
    fn start(&self, steps: u64);
    /// A step begins.
    fn step(&self, message: &str);
    /// A step is done.
    fn done(&self);
}

/// No progress display.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: u64) {}
    fn step(&self, _: &str) {}
    fn done(&self) {}
}

/// The salt of `kind` in deployment `deployment`.
pub fn salt(deployment: &str, kind: ContractKind) -> [u8; 32] {
    Sha256::digest(format!("passa:{deployment}:{}", kind.name())).into()
}

/// The address a contract created by `deployer` with `salt` gets on the network `network_id`.
///
/// # Errors
/// [`xdr::Error`] only if the preimage cannot be encoded.
pub fn contract_address(
    network_id: [u8; 32],
    deployer: &xdr::ScAddress,
    salt: [u8; 32],
) -> Result<xdr::ScAddress, xdr::Error> {
    let preimage = xdr::HashIdPreimage::ContractId(xdr::HashIdPreimageContractId {
        network_id: xdr::Hash(network_id),
        contract_id_preimage: id_preimage(deployer, salt),
    });
    let bytes = preimage.to_xdr(Limits::none())?;
    Ok(xdr::ScAddress::Contract(xdr::ContractId(xdr::Hash(
        Sha256::digest(bytes).into(),
    ))))
}

fn id_preimage(deployer: &xdr::ScAddress, salt: [u8; 32]) -> xdr::ContractIdPreimage {
    xdr::ContractIdPreimage::Address(xdr::ContractIdPreimageFromAddress {
        address: deployer.clone(),
        salt: xdr::Uint256(salt),
    })
}

/// The wasm hash an instance entry runs, if it is a wasm contract's instance.
pub fn instance_wasm_hash(entry: &xdr::LedgerEntryData) -> Option<[u8; 32]> {
    match entry {
        xdr::LedgerEntryData::ContractData(xdr::ContractDataEntry {
            val:
                xdr::ScVal::ContractInstance(xdr::ScContractInstance {
                    executable: xdr::ContractExecutable::Wasm(hash),
                    ..
                }),
            ..
        }) => Some(hash.0),
        _ => None,
    }
}

/// One contract's plan: its wasm, salt, address and constructor arguments.
struct Planned {
    kind: ContractKind,
    wasm: ContractWasm,
    salt: [u8; 32],
    address: xdr::ScAddress,
    strkey: String,
    constructor_args: Vec<xdr::ScVal>,
}

/// Deploys (or completes, or confirms) the three contracts on `rpc`'s network, signed by
/// `signer`, registering them through `db`.
///
/// Reads everything it needs before the first write: the wasm files, the registry's schema,
/// the source account. See the module documentation for the steps.
///
/// # Errors
/// [`DeployError`]: missing wasm, pending migrations, account missing or unable to pay (the
/// network's result code), wiring that does not read back, database errors.
pub async fn deploy(
    rpc: &Rpc,
    db: &mut PgConnection,
    signer: &Signer,
    options: &DeployOptions,
    progress: &dyn Progress,
) -> Result<Report, DeployError> {
    let plans = plan(rpc, signer, options)?;
    let pending = passa_db::migrations::status(db)
        .await
        .map_err(|e| DeployError::Unexpected(e.to_string()))?
        .pending();
    if pending > 0 {
        return Err(DeployError::Migrations { pending });
    }
    if rpc.account(&signer.account_id()).await?.is_none() {
        return Err(RpcError::AccountMissing {
            address: signer.address(),
            network: rpc.network().name.to_string(),
        }
        .into());
    }

    let mut report = Report {
        network: rpc.network().name.to_string(),
        deployer: signer.address(),
        contracts: plans
            .iter()
            .map(|p| Deployed {
                kind: p.kind,
                address: p.strkey.clone(),
                wasm_hash: p.wasm.hash_hex(),
                actions: vec![],
            })
            .collect(),
    };

    progress.start(2 * plans.len() as u64 + 2);
    progress.step("settling transactions left pending by an earlier run");
    resume_pending(rpc, db, signer, &mut report).await?;
    progress.done();

    let code_keys: Vec<_> = plans.iter().map(|p| code_key(p.wasm.hash)).collect();
    let codes = rpc.entries(&code_keys).await?;
    for (i, (plan, code)) in plans.iter().zip(codes).enumerate() {
        progress.step(&format!("upload {} wasm", plan.kind));
        // Two kinds could share a wasm (tests do): upload it once.
        let uploaded_earlier = plans[..i].iter().any(|p| p.wasm.hash == plan.wasm.hash);
        if code.is_none() && !uploaded_earlier {
            upload(rpc, db, signer, &plan.wasm).await?;
            report.contracts[i].actions.push(Action::Uploaded);
        }
        progress.done();
    }
    passa_db::failpoint::hit("deploy.after_upload");

    let instance_keys: Vec<_> = plans.iter().map(|p| instance_key(&p.address)).collect();
    let instances = rpc.entries(&instance_keys).await?;
    for (i, (plan, instance)) in plans.iter().zip(instances).enumerate() {
        progress.step(&format!("create {}", plan.kind));
        let action = match instance {
            None => {
                create(rpc, db, signer, options, plan).await?;
                Some(Action::Created)
            }
            Some(entry) => register_existing(db, rpc, signer, options, plan, &entry).await?,
        };
        report.contracts[i].actions.extend(action);
        progress.done();
    }

    progress.step("read the wiring back");
    check_wiring(rpc, signer, &plans).await?;
    progress.done();
    Ok(report)
}

/// Reads the wasm files and computes salts, addresses and constructor arguments.
fn plan(rpc: &Rpc, signer: &Signer, options: &DeployOptions) -> Result<Vec<Planned>, DeployError> {
    let deployer = signer.sc_address();
    let network_id = rpc.network().id();
    let mut plans = Vec::with_capacity(3);
    for kind in ContractKind::ALL {
        let wasm = ContractWasm::load(&options.wasm_dir.join(kind.wasm_file()))?;
        let salt = salt(&options.deployment, kind);
        let address = contract_address(network_id, &deployer, salt).map_err(RpcError::from)?;
        plans.push(Planned {
            kind,
            strkey: address_strkey(&address),
            wasm,
            salt,
            address,
            constructor_args: vec![],
        });
    }
    let [ticketing, attribution, revenue] =
        [0, 1, 2].map(|i| xdr::ScVal::Address(plans[i].address.clone()));
    let admin = xdr::ScVal::Address(options.admin.clone().unwrap_or(deployer));
    let treasury = options
        .treasury
        .clone()
        .map_or_else(|| admin.clone(), xdr::ScVal::Address);
    plans[0].constructor_args = vec![
        admin.clone(),
        revenue.clone(),
        attribution.clone(),
        sc_string(&options.collection_name)?,
        sc_string(&options.collection_symbol)?,
    ];
    plans[1].constructor_args = vec![admin.clone(), ticketing.clone(), revenue];
    plans[2].constructor_args = vec![
        admin,
        ticketing,
        attribution,
        treasury,
        xdr::ScVal::U32(options.platform_fee_bps),
        passa_stellar::scval::i128(options.high_value_threshold),
    ];
    Ok(plans)
}

fn sc_string(text: &str) -> Result<xdr::ScVal, DeployError> {
    Ok(xdr::ScVal::String(xdr::ScString(
        text.try_into().map_err(|e: xdr::Error| RpcError::from(e))?,
    )))
}

/// Looks up every transaction this deployer left pending and records its fate.
async fn resume_pending(
    rpc: &Rpc,
    db: &mut PgConnection,
    signer: &Signer,
    report: &mut Report,
) -> Result<(), DeployError> {
    let network = rpc.network().name;
    for (hash, valid_until) in registry::pending(db, network, &signer.address()).await? {
        let valid_until = valid_until.and_then(|v| u64::try_from(v).ok()).unwrap_or(0);
        let now = rpc.network_time().await?;
        tracing::info!(%hash, "an earlier run left this transaction pending; looking it up");
        let outcome = match rpc.status(&hash).await? {
            TxStatus::NotFound if now <= valid_until.saturating_add(10) => {
                rpc.wait_for(&hash, valid_until).await
            }
            TxStatus::NotFound => Err(RpcError::Expired {
                hash: hash.clone(),
                secs: 0,
            }),
            TxStatus::Success(included) => Ok(included),
            TxStatus::Failed { ledger, code } => Err(RpcError::Failed {
                hash: hash.clone(),
                ledger,
                code,
            }),
        };
        match outcome {
            Ok(included) => {
                registry::confirm(
                    db,
                    &hash,
                    included.ledger,
                    included.closed_at,
                    included.fee_charged,
                )
                .await?
            }
            Err(e) if is_definite(&e) => {
                registry::fail(db, &hash, &e.to_string(), failed_ledger(&e)).await?
            }
            Err(e) => return Err(e.into()),
        }
        if let Some(c) = report.contracts.first_mut() {
            // Reported once, on the first contract: the resumed step is the run's, not one
            // contract's.
            if !c.actions.contains(&Action::Resumed) {
                c.actions.push(Action::Resumed);
            }
        }
    }
    Ok(())
}

fn failed_ledger(e: &RpcError) -> Option<u32> {
    match e {
        RpcError::Failed { ledger, .. } => Some(*ledger),
        _ => None,
    }
}

/// Sends `signed` after recording it, waits, and records the outcome.
pub(crate) async fn send_recorded(
    rpc: &Rpc,
    db: &mut PgConnection,
    signed: &Signed,
    pending: PendingTx<'_>,
    deployment: bool,
) -> Result<Included, DeployError> {
    registry::record_pending(db, &pending, deployment).await?;
    let outcome = match rpc.send(signed).await {
        Ok(()) => {
            passa_db::failpoint::hit("deploy.after_send");
            rpc.wait(signed).await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(included) => {
            registry::confirm(
                db,
                &signed.hash,
                included.ledger,
                included.closed_at,
                included.fee_charged,
            )
            .await?;
            Ok(included)
        }
        // Only a definite outcome is recorded; after a transport error the transaction may
        // still land, so it stays pending for the next run to look up.
        Err(e) if is_definite(&e) => {
            registry::fail(db, &signed.hash, &e.to_string(), failed_ledger(&e)).await?;
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether an error settles a transaction's fate: refused, failed in a ledger, or expired.
fn is_definite(e: &RpcError) -> bool {
    matches!(
        e,
        RpcError::Rejected { .. } | RpcError::Failed { .. } | RpcError::Expired { .. }
    )
}

pub(crate) async fn upload(
    rpc: &Rpc,
    db: &mut PgConnection,
    signer: &Signer,
    wasm: &ContractWasm,
) -> Result<Included, DeployError> {
    let host_function = xdr::HostFunction::UploadContractWasm(
        wasm.bytes.clone().try_into().map_err(RpcError::from)?,
    );
    let what = format!("uploading {}", wasm.path.display());
    let prepared = rpc.prepare(signer, host_function, &what).await?;
    let signed = rpc.sign(prepared.tx, signer)?;
    let from = signer.address();
    send_recorded(
        rpc,
        db,
        &signed,
        PendingTx {
            hash: &signed.hash,
            network: rpc.network().name,
            kind: "contract_deployment",
            contract_id: None,
            function: "upload_contract_wasm",
            from: &from,
            to: None,
            valid_until: signed.valid_until,
        },
        false,
    )
    .await
}

fn metadata(options: &DeployOptions, plan: &Planned) -> serde_json::Value {
    json!({
        "deployment": options.deployment,
        "salt": hex::encode(plan.salt),
        "wasm_size": plan.wasm.bytes.len(),
        "constructor_args": plan.constructor_args.iter().map(describe).collect::<Vec<_>>(),
    })
}

/// A constructor argument as readable JSON.
fn describe(value: &xdr::ScVal) -> serde_json::Value {
    match value {
        xdr::ScVal::Address(a) => json!(address_strkey(a)),
        xdr::ScVal::U32(n) => json!(n),
        xdr::ScVal::I128(parts) => {
            json!((i128::from(parts.hi) << 64 | i128::from(parts.lo)).to_string())
        }
        xdr::ScVal::String(s) => json!(s.to_utf8_string_lossy()),
        other => json!(format!("{other:?}")),
    }
}

async fn create(
    rpc: &Rpc,
    db: &mut PgConnection,
    signer: &Signer,
    options: &DeployOptions,
    plan: &Planned,
) -> Result<Included, DeployError> {
    let network = rpc.network().name;
    let deployer = signer.address();
    let wasm_hash = plan.wasm.hash_hex();
    let contract_id = registry::insert_deploying(
        db,
        &NewContract {
            address: &plan.strkey,
            kind: plan.kind,
            network,
            wasm_hash: &wasm_hash,
            abi: &plan.wasm.spec,
            deployer: &deployer,
            metadata: &metadata(options, plan),
        },
    )
    .await?;
    let host_function = xdr::HostFunction::CreateContractV2(xdr::CreateContractArgsV2 {
        contract_id_preimage: id_preimage(&signer.sc_address(), plan.salt),
        executable: xdr::ContractExecutable::Wasm(xdr::Hash(plan.wasm.hash)),
        constructor_args: plan
            .constructor_args
            .clone()
            .try_into()
            .map_err(RpcError::from)?,
    });
    let prepared = rpc
        .prepare(signer, host_function, &format!("creating {}", plan.kind))
        .await?;
    let signed = rpc.sign(prepared.tx, signer)?;
    let included = send_recorded(
        rpc,
        db,
        &signed,
        PendingTx {
            hash: &signed.hash,
            network,
            kind: "contract_deployment",
            contract_id: Some(contract_id),
            function: "create_contract",
            from: &deployer,
            to: Some(&plan.strkey),
            valid_until: signed.valid_until,
        },
        true,
    )
    .await?;
    registry::activate(db, contract_id, &wasm_hash, included.closed_at).await?;
    Ok(included)
}

/// A contract already on the ledger: make sure the registry says so.
async fn register_existing(
    db: &mut PgConnection,
    rpc: &Rpc,
    signer: &Signer,
    options: &DeployOptions,
    plan: &Planned,
    entry: &xdr::LedgerEntryData,
) -> Result<Option<Action>, DeployError> {
    let on_chain = instance_wasm_hash(entry).ok_or_else(|| {
        DeployError::Unexpected(format!(
            "{} is on the ledger but is not a wasm contract instance",
            plan.strkey
        ))
    })?;
    let on_chain_hex = hex::encode(on_chain);
    if on_chain != plan.wasm.hash {
        tracing::warn!(
            contract = %plan.kind,
            address = %plan.strkey,
            running = %on_chain_hex,
            local = %plan.wasm.hash_hex(),
            "the contract runs other wasm than the local file; `passa contracts upgrade` moves it"
        );
    }
    let existing = registry::find(db, &plan.strkey).await?;
    if existing.as_ref().is_some_and(|c| c.status != "deploying") {
        return Ok(None);
    }
    let deployer = signer.address();
    let contract_id = match existing {
        Some(row) => row.id,
        None => {
            registry::insert_deploying(
                db,
                &NewContract {
                    address: &plan.strkey,
                    kind: plan.kind,
                    network: rpc.network().name,
                    wasm_hash: &on_chain_hex,
                    abi: &plan.wasm.spec,
                    deployer: &deployer,
                    metadata: &metadata(options, plan),
                },
            )
            .await?
        }
    };
    let now = i64::try_from(rpc::unix_now()).unwrap_or(i64::MAX);
    registry::activate(db, contract_id, &on_chain_hex, now).await?;
    Ok(Some(Action::Registered))
}

/// Reads each contract's wiring getters and compares them with the planned addresses.
async fn check_wiring(rpc: &Rpc, signer: &Signer, plans: &[Planned]) -> Result<(), DeployError> {
    let by_kind = |kind: ContractKind| &plans[kind.index()];
    let checks = WIRING;
    for (contract, getter, expected) in checks {
        let plan = by_kind(contract);
        let got = rpc
            .read(&signer.account_id(), &plan.address, getter, vec![])
            .await?;
        let expected = &by_kind(expected).address;
        if got != xdr::ScVal::Address(expected.clone()) {
            return Err(DeployError::Wiring {
                contract,
                address: plan.strkey.clone(),
                getter,
                got: match &got {
                    xdr::ScVal::Address(a) => address_strkey(a),
                    other => format!("{other:?}"),
                },
                expected: address_strkey(expected),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salts_depend_on_deployment_and_kind_only() {
        assert_eq!(
            salt("main", ContractKind::Ticketing),
            salt("main", ContractKind::Ticketing)
        );
        assert_ne!(
            salt("main", ContractKind::Ticketing),
            salt("main", ContractKind::Revenue)
        );
        assert_ne!(
            salt("main", ContractKind::Ticketing),
            salt("demo", ContractKind::Ticketing)
        );
    }

    #[test]
    fn i128_round_trips_through_parts() {
        for v in [
            0i128,
            1,
            -1,
            i128::MAX,
            i128::MIN,
            DEFAULT_HIGH_VALUE_THRESHOLD,
        ] {
            let xdr::ScVal::I128(parts) = passa_stellar::scval::i128(v) else {
                panic!()
            };
            assert_eq!(i128::from(parts.hi) << 64 | i128::from(parts.lo), v);
        }
    }
}
