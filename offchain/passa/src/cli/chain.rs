//! The commands that talk to a Stellar network: `deploy`, `contracts …`, `keys …`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::error::{Error, Result};
use passa_db as db;
use passa_db::config::DbConfig;
use passa_deploy::contracts::{self, ContractsError};
use passa_deploy::deploy::{self, Action, ContractWasm, DeployOptions, Progress};
use passa_deploy::registry;
use passa_stellar::keys::{self, Signer};
use passa_stellar::network::{Network, NetworkName};
use passa_stellar::rpc::Rpc;

/// Which network, and how to reach it.
#[derive(Debug, Clone, Args)]
pub struct NetworkArgs {
    /// The network: local (`passa devnet`), testnet or mainnet.
    #[arg(long, value_enum, env = "PASSA_NETWORK", default_value = "local")]
    pub network: NetworkName,

    /// The Stellar RPC server; defaults: local http://127.0.0.1:8000/, testnet
    /// https://soroban-testnet.stellar.org/, mainnet has none (required).
    #[arg(long, env = "STELLAR_RPC_URL", value_name = "URL")]
    pub rpc_url: Option<String>,

    /// The network passphrase, when it is not the named network's usual one. The server must
    /// report the same passphrase, or nothing is signed.
    #[arg(long, env = "STELLAR_NETWORK_PASSPHRASE", value_name = "P")]
    pub network_passphrase: Option<String>,
}

impl NetworkArgs {
    /// The resolved network.
    pub fn resolve(&self) -> Result<Network> {
        Ok(Network::resolve(
            self.network,
            self.rpc_url.as_deref(),
            self.network_passphrase.as_deref(),
        )?)
    }
}

/// Where the signing key comes from.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// The signing account: a key file (an `S…` line or a stellar CLI identity file) or a
    /// stellar CLI identity name. Without it, the secret key in PASSA_SECRET_KEY. Never a
    /// secret key itself (it would stay in your shell history).
    #[arg(long, value_name = "FILE|IDENTITY")]
    pub source: Option<String>,
}

impl SourceArgs {
    /// Loads the key.
    pub fn load(&self) -> Result<Signer> {
        Ok(keys::load(self.source.as_deref())?)
    }
}

/// `passa deploy …`
#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub network: NetworkArgs,

    #[command(flatten)]
    pub source: SourceArgs,

    /// The directory holding passa_ticketing.wasm, passa_attribution.wasm and passa_revenue.wasm.
    #[arg(long, value_name = "DIR", default_value = "target/wasm")]
    pub wasm_dir: PathBuf,

    /// Build the wasm first with scripts/build-contracts.sh (run from the repository).
    #[arg(long)]
    pub build: bool,

    /// The deployment's name. With the source account it determines the contracts'
    /// addresses: the same name finds the same contracts again, another name deploys a new set.
    #[arg(long, value_name = "NAME", default_value = deploy::DEFAULT_DEPLOYMENT)]
    pub deployment: String,

    /// The contracts' admin (G… or C…); the source account by default.
    #[arg(long, value_name = "ADDRESS")]
    pub admin: Option<String>,

    /// Where the platform fee goes (G… or C…); the admin by default.
    #[arg(long, value_name = "ADDRESS")]
    pub treasury: Option<String>,

    /// The platform fee in basis points (250 = 2.5 %).
    #[arg(long, value_name = "BPS", default_value_t = deploy::DEFAULT_PLATFORM_FEE_BPS,
          value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub platform_fee_bps: u32,

    /// Settlements above this amount, in raw token units (7 decimals: 10000000 = 1 XLM or 1
    /// USDC), also need the admin's signature.
    #[arg(long, value_name = "AMOUNT", default_value_t = deploy::DEFAULT_HIGH_VALUE_THRESHOLD)]
    pub high_value_threshold: i128,

    /// The ticket collection's name (SEP-50 `name`).
    #[arg(long, value_name = "NAME", default_value = "Passa Tickets")]
    pub collection_name: String,

    /// The ticket collection's symbol (SEP-50 `symbol`).
    #[arg(long, value_name = "SYMBOL", default_value = "PASSA")]
    pub collection_symbol: String,
}

/// `passa demo …`
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub network: NetworkArgs,

    /// The deployment's admin (it verifies the organizer, and co-signs a high-value
    /// settlement).
    #[command(flatten)]
    pub source: SourceArgs,

    /// Makes the events' ids; another seed gives new events on the same deployment.
    #[arg(long, default_value = "demo")]
    pub seed: String,
}

/// `passa sync …`
#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    pub command: Option<SyncCommand>,

    #[command(flatten)]
    pub network: NetworkArgs,

    /// Read from this ledger instead of the stored cursor (a backfill, or past a gap the RPC
    /// no longer has). Events already mirrored are not applied twice.
    #[arg(long, value_name = "L")]
    pub from_ledger: Option<u32>,

    /// Stop once caught up instead of following new ledgers.
    #[arg(long)]
    pub once: bool,

    /// Serve Prometheus metrics (lag in ledgers, events applied and parked, RPC latency) at
    /// http://ADDR/metrics while syncing, e.g. 127.0.0.1:9184.
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<std::net::SocketAddr>,

    /// Events per getEvents page; each page is applied in one database transaction. Larger
    /// pages backfill faster and hold more in memory (two pages at a time: the process peaks
    /// at ~80 MB with 5 000, ~130 MB with 10 000).
    #[arg(long, value_name = "N", default_value_t = 5_000,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub page_size: u32,

    /// Once caught up, ask for new events every MS milliseconds. The mirror trails the
    /// network by at most this plus the time to apply a page: keep it well under the
    /// network's ledger time (5 s on testnet and mainnet, 1 s on passa devnet).
    #[arg(long, value_name = "MS", default_value_t = 250,
          value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub poll_interval: u64,
}

/// `passa sync parked`
#[derive(Debug, Clone, Subcommand)]
pub enum SyncCommand {
    /// List the events the mirror could not apply (yet), with their reasons.
    Parked {
        /// The network.
        #[arg(long, value_enum, env = "PASSA_NETWORK", default_value = "local")]
        network: NetworkName,
        /// Include those applied since.
        #[arg(long)]
        all: bool,
    },

    /// After the network was reset (Stellar's testnet is, from time to time; a local devnet
    /// started afresh): archive the network's mirror to DIR and remove it, so a new
    /// deployment is mirrored from scratch.
    ///
    /// In one transaction, with the network's sync lock (stop `passa sync` first): the
    /// registered contracts, their transactions, raw and parked events, cursor, tickets,
    /// transfers and contributions are written to DIR (gzip COPY files, SHA-256 each, a
    /// manifest) and deleted; the events they published go back to draft. Users, wallets and
    /// every other off-chain row stay. Then redeploy with `passa deploy`.
    Reset {
        /// The network.
        #[arg(long, value_enum, env = "PASSA_NETWORK", default_value = "local")]
        network: NetworkName,
        /// Where the archive goes (a new or empty directory).
        #[arg(long, value_name = "DIR")]
        archive_dir: std::path::PathBuf,
    },
}

/// `passa verify`
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub network: NetworkArgs,
}

/// `passa contracts …`
#[derive(Debug, Subcommand)]
pub enum ContractsCommand {
    /// List the registered contracts (all networks unless --network is given).
    List {
        /// Only this network.
        #[arg(long, value_enum)]
        network: Option<NetworkName>,
    },
    /// Show one contract: its registry row and what the chain says (wasm, admin, paused).
    Show {
        #[command(flatten)]
        network: NetworkArgs,
        /// ticketing, attribution, revenue, or a C… address.
        contract: String,
    },
    /// Pause a contract (its admin signs): every path that moves money or tickets stops.
    Pause {
        #[command(flatten)]
        network: NetworkArgs,
        #[command(flatten)]
        source: SourceArgs,
        /// ticketing, attribution, revenue, or a C… address.
        contract: String,
    },
    /// Unpause a paused contract (its admin signs).
    Unpause {
        #[command(flatten)]
        network: NetworkArgs,
        #[command(flatten)]
        source: SourceArgs,
        /// ticketing, attribution, revenue, or a C… address.
        contract: String,
    },
    /// Upgrade a contract to new wasm (its admin signs): same address and state, new code;
    /// the registry's version goes up by one and the change is written to audit_logs.
    Upgrade {
        #[command(flatten)]
        network: NetworkArgs,
        #[command(flatten)]
        source: SourceArgs,
        /// ticketing, attribution, revenue, or a C… address.
        contract: String,
        /// The new wasm file.
        #[arg(long, value_name = "FILE")]
        wasm: PathBuf,
    },
}

/// `passa keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Generate a new key into a new file (readable only by you) and print its address.
    Generate {
        /// The key file to create (stellar CLI identity format). Never overwritten.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also create and fund the account through the network's friendbot.
        #[arg(long)]
        fund: bool,
        #[command(flatten)]
        network: NetworkArgs,
    },
    /// Print the address (G…) of a key.
    Address {
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Create and fund an account through the network's friendbot (local and testnet).
    Fund {
        #[command(flatten)]
        network: NetworkArgs,
        #[command(flatten)]
        source: SourceArgs,
        /// The account to fund (G…); the key's account by default.
        address: Option<String>,
    },
}

/// A progress bar on stderr, when stderr is a terminal (hidden otherwise).
struct Bar(ProgressBar);

impl Bar {
    fn new() -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self(bar)
    }
}

impl Progress for Bar {
    fn start(&self, steps: u64) {
        self.0.set_length(steps);
    }
    fn step(&self, message: &str) {
        self.0.set_message(message.to_owned());
        tracing::info!("{message}");
    }
    fn done(&self) {
        self.0.inc(1);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

fn parse_address(text: Option<&str>) -> Result<Option<stellar_xdr::ScAddress>> {
    Ok(text.map(keys::parse_address).transpose()?)
}

/// `passa deploy`: everything that can be checked locally is checked before the network or
/// the database is touched.
pub(super) async fn run_deploy(config: &DbConfig, args: DeployArgs) -> Result<()> {
    let network = args.network.resolve()?;
    let signer = args.source.load()?;
    let mut options = DeployOptions::new(&args.wasm_dir);
    options.deployment = args.deployment.clone();
    options.admin = parse_address(args.admin.as_deref())?;
    options.treasury = parse_address(args.treasury.as_deref())?;
    options.platform_fee_bps = args.platform_fee_bps;
    options.high_value_threshold = args.high_value_threshold;
    options.collection_name = args.collection_name.clone();
    options.collection_symbol = args.collection_symbol.clone();
    if args.build {
        build_contracts()?;
    }
    for kind in registry::ContractKind::ALL {
        ContractWasm::load(&args.wasm_dir.join(kind.wasm_file()))?;
    }
    let mut conn = db::connect(config).await?;
    let rpc = Rpc::connect(&network).await?;

    let bar = Bar::new();
    let result = deploy::deploy(&rpc, &mut conn, &signer, &options, &bar).await;
    drop(bar);
    db::close(conn).await;
    let report = result?;

    out!("network:  {} ({})", report.network, network.rpc_url);
    out!("deployer: {}", report.deployer);
    for c in &report.contracts {
        let actions = if c.actions.is_empty() {
            "unchanged".to_owned()
        } else {
            c.actions
                .iter()
                .map(|a| match a {
                    Action::Uploaded => "wasm uploaded",
                    Action::Created => "created",
                    Action::Resumed => "earlier run's pending transaction settled",
                    Action::Registered => "registered (already on the ledger)",
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        out!(
            "{:<12} {}  wasm {}  {}",
            c.kind.name(),
            c.address,
            &c.wasm_hash[..12],
            actions
        );
    }
    if report.unchanged() {
        out!("nothing to do: the deployment is complete and registered");
    } else {
        out!("deployment complete; wiring verified");
    }
    Ok(())
}

fn build_contracts() -> Result<()> {
    let script = PathBuf::from("scripts/build-contracts.sh");
    if !script.is_file() {
        return Err(Error::Build(
            "scripts/build-contracts.sh not found: run `passa deploy --build` from the \
             repository's root, or build the wasm there and pass --wasm-dir"
                .to_owned(),
        ));
    }
    let status = std::process::Command::new("bash")
        .arg(&script)
        .status()
        .map_err(|e| Error::Build(e.to_string()))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Build(format!(
            "scripts/build-contracts.sh exited with {status}"
        )))
    }
}

pub(super) async fn run_contracts(config: &DbConfig, command: ContractsCommand) -> Result<()> {
    if let ContractsCommand::List { network } = command {
        let mut conn = db::connect(config).await?;
        let rows = registry::list(&mut conn, network.map(|n| n.as_str())).await;
        db::close(conn).await;
        let rows = rows.map_err(ContractsError::from)?;
        if rows.is_empty() {
            out!("no contracts registered (deploy with `passa deploy`)");
        }
        out!(
            "{:<8} {:<12} {:<56} {:<9} {:>3}  WASM",
            "NETWORK",
            "CONTRACT",
            "ADDRESS",
            "STATUS",
            "VER"
        );
        for c in rows {
            out!(
                "{:<8} {:<12} {:<56} {:<9} {:>3}  {}",
                c.network,
                c.kind.name(),
                c.address,
                c.status,
                c.version,
                c.wasm_hash.as_deref().map_or("-", |h| &h[..12])
            );
        }
        return Ok(());
    }
    let (network_args, source, reference) = match &command {
        ContractsCommand::Show { network, contract } => (network, None, contract),
        ContractsCommand::Pause {
            network,
            source,
            contract,
        }
        | ContractsCommand::Unpause {
            network,
            source,
            contract,
        }
        | ContractsCommand::Upgrade {
            network,
            source,
            contract,
            ..
        } => (network, Some(source), contract),
        ContractsCommand::List { .. } => unreachable!("handled above"),
    };
    let network = network_args.resolve()?;
    let signer = source.map(SourceArgs::load).transpose()?;
    let wasm = match &command {
        ContractsCommand::Upgrade { wasm, .. } => {
            Some(ContractWasm::load(wasm).map_err(ContractsError::from)?)
        }
        _ => None,
    };
    let mut conn = db::connect(config).await?;
    let result = async {
        let contract = contracts::resolve(&mut conn, network.name, reference).await?;
        let rpc = Rpc::connect(&network).await?;
        match (&command, signer, wasm) {
            (ContractsCommand::Show { .. }, _, _) => {
                let reader = passa_stellar::keys::read_source(contract.deployer.as_deref());
                let chain = contracts::chain_state(&rpc, &reader, &contract.address).await?;
                print_show(&contract, &chain);
            }
            (ContractsCommand::Pause { .. }, Some(signer), _) => {
                let included =
                    contracts::set_paused(&rpc, &mut conn, &signer, &contract, true).await?;
                out!(
                    "{} at {} paused (transaction {}, ledger {})",
                    contract.kind,
                    contract.address,
                    included.hash,
                    included.ledger
                );
            }
            (ContractsCommand::Unpause { .. }, Some(signer), _) => {
                let included =
                    contracts::set_paused(&rpc, &mut conn, &signer, &contract, false).await?;
                out!(
                    "{} at {} unpaused (transaction {}, ledger {})",
                    contract.kind,
                    contract.address,
                    included.hash,
                    included.ledger
                );
            }
            (ContractsCommand::Upgrade { .. }, Some(signer), Some(wasm)) => {
                let (included, version) =
                    contracts::upgrade(&rpc, &mut conn, &signer, &contract, &wasm).await?;
                out!(
                    "{} at {} upgraded to wasm {} (version {version}; transaction {}, ledger {})",
                    contract.kind,
                    contract.address,
                    wasm.hash_hex(),
                    included.hash,
                    included.ledger
                );
            }
            _ => unreachable!("every command with a source has a signer; upgrade has wasm"),
        }
        Ok::<(), Error>(())
    }
    .await;
    db::close(conn).await;
    result
}

fn print_show(contract: &registry::RegisteredContract, chain: &contracts::ChainState) {
    out!("contract:    {} ({})", contract.kind, contract.address);
    out!("network:     {}", contract.network);
    out!("status:      {} (registry)", contract.status);
    out!("version:     {}", contract.version);
    out!(
        "wasm:        {} (registry)",
        contract.wasm_hash.as_deref().unwrap_or("-")
    );
    match &chain.wasm_hash {
        Some(hash) if Some(hash.as_str()) == contract.wasm_hash.as_deref() => {
            out!("on chain:    live, same wasm")
        }
        Some(hash) => out!("on chain:    live, runs wasm {hash} (differs from the registry)"),
        None => out!("on chain:    NO INSTANCE at this address"),
    }
    if let Some(admin) = &chain.admin {
        out!("admin:       {admin}");
    }
    if let Some(paused) = chain.paused {
        out!("paused:      {paused}");
    }
    out!(
        "deployer:    {}",
        contract.deployer.as_deref().unwrap_or("-")
    );
    out!(
        "deployed at: {}",
        contract
            .deployed_at
            .map_or_else(|| "-".to_owned(), |t| t.to_rfc3339())
    );
    out!(
        "deploy tx:   {}",
        contract.deployment_tx_hash.as_deref().unwrap_or("-")
    );
    out!("metadata:    {}", contract.metadata);
}

pub(super) async fn run_keys(command: KeysCommand) -> Result<()> {
    match command {
        KeysCommand::Generate {
            out: path,
            fund,
            network,
        } => {
            let network = network.resolve()?;
            let signer = Signer::generate()?;
            signer.write_key_file(&path)?;
            out!("{}", signer.address());
            tracing::info!(file = %path.display(), "key written");
            if fund {
                Rpc::connect(&network)
                    .await?
                    .fund(&signer.account_id())
                    .await?;
                tracing::info!(network = %network.name, "account funded");
            }
        }
        KeysCommand::Address { source } => out!("{}", source.load()?.address()),
        KeysCommand::Fund {
            network,
            source,
            address,
        } => {
            let network = network.resolve()?;
            let account = match address {
                Some(text) => match keys::parse_address(&text)? {
                    stellar_xdr::ScAddress::Account(id) => id,
                    _ => return Err(keys::KeyError::BadAddress(text).into()),
                },
                None => source.load()?.account_id(),
            };
            Rpc::connect(&network).await?.fund(&account).await?;
            out!(
                "funded {}",
                keys::address_strkey(&stellar_xdr::ScAddress::Account(account))
            );
        }
    }
    Ok(())
}

pub(super) async fn run_demo(config: &DbConfig, args: DemoArgs) -> Result<()> {
    let network = args.network.resolve()?;
    let admin = args.source.load()?;
    let mut conn = db::connect(config).await?;
    let listed = registry::list(&mut conn, Some(network.name.as_str())).await;
    db::close(conn).await;
    let rows = listed.map_err(ContractsError::from)?;
    let pick = |kind: registry::ContractKind| -> Result<stellar_xdr::ScAddress> {
        let live: Vec<_> = rows
            .iter()
            .filter(|c| c.kind == kind && c.status == "active")
            .collect();
        match live.as_slice() {
            [one] => Ok(keys::parse_address(&one.address)?),
            [] => Err(ContractsError::NotRegistered {
                what: format!("active {kind} contract"),
                network: network.name.to_string(),
            }
            .into()),
            many => Err(ContractsError::Ambiguous {
                kind,
                count: many.len(),
                network: network.name.to_string(),
            }
            .into()),
        }
    };
    let contracts = crate::demo::Contracts {
        ticketing: pick(registry::ContractKind::Ticketing)?,
        attribution: pick(registry::ContractKind::Attribution)?,
        revenue: pick(registry::ContractKind::Revenue)?,
    };
    let rpc = Rpc::connect(&network).await?;
    let bar = ProgressBar::new_spinner();
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar.set_message("fund the cast");
    let cast = crate::demo::Cast::new(&rpc, admin).await;
    let report = match cast {
        Ok(cast) => {
            // What the web backend would hold: users, wallets, the organizer, draft events.
            let mut conn = db::connect(config).await?;
            let registered = crate::demo::register_off_chain(&mut conn, &cast, &args.seed).await;
            db::close(conn).await;
            registered?;
            let report = crate::demo::season(
                &rpc,
                &contracts,
                &cast,
                &args.seed,
                crate::demo::Timing::default(),
                &|step| bar.set_message(step.to_owned()),
            )
            .await;
            bar.finish_and_clear();
            report?
        }
        Err(e) => {
            bar.finish_and_clear();
            return Err(e.into());
        }
    };
    out!("season done: {} transactions", report.transactions);
    out!(
        "main event:      {}",
        uuid::Uuid::from_bytes(report.main_event)
    );
    out!(
        "cancelled event: {}",
        uuid::Uuid::from_bytes(report.cancelled_event)
    );
    out!("organizer:       {}", report.organizer);
    for t in &report.tickets {
        out!(
            "ticket {:>4}  event {}  tier {}  {:<9}  {}",
            t.token_id,
            &uuid::Uuid::from_bytes(t.event_id).to_string()[..8],
            t.tier,
            t.status,
            t.owner.as_deref().unwrap_or("(burned)")
        );
    }
    for (payee, amount) in &report.claims {
        out!("claimed {:>14}  {payee}", format_xlm(*amount));
    }
    Ok(())
}

/// Raw units of a 7-decimal token as `123.4567890 XLM`.
fn format_xlm(raw: i128) -> String {
    format!("{} XLM", passa_stellar::scval::token_units(raw))
}

pub(super) async fn run_sync(config: &DbConfig, args: SyncArgs) -> Result<()> {
    if let Some(SyncCommand::Reset {
        network,
        archive_dir,
    }) = &args.command
    {
        let mut conn = db::connect(config).await?;
        let report = passa_sync::reset(&mut conn, *network, archive_dir).await;
        db::close(conn).await;
        let report = report?;
        for t in &report.manifest.tables {
            out!(
                "archived {:>8} row(s) of {:<17} {}",
                t.rows,
                t.table,
                t.file
            );
        }
        out!(
            "reset the mirror of {network}: {} contract(s) removed, {} event(s) back to draft; archive in {} (manifest.json); redeploy with `passa deploy --network {network}`",
            report.contracts,
            report.events_to_draft,
            archive_dir.display()
        );
        return Ok(());
    }
    if let Some(SyncCommand::Parked { network, all }) = args.command {
        let mut conn = db::connect(config).await?;
        let parked = passa_sync::parked(&mut conn, network, all).await;
        db::close(conn).await;
        let parked = parked?;
        if parked.is_empty() {
            out!("no parked events on {network}");
        }
        for p in parked {
            out!(
                "{}  ledger {:>8}  {:<16} {:<22} {}  ({}; {} attempt(s){})",
                p.event_id,
                p.ledger,
                p.name.as_deref().unwrap_or("?"),
                p.reason_code,
                p.subject,
                p.reason,
                p.attempts,
                p.resolved_at
                    .map(|t| format!(", applied {}", t.to_rfc3339()))
                    .unwrap_or_default()
            );
        }
        return Ok(());
    }
    let network = args.network.resolve()?;
    let mut conn = db::connect(config).await?;
    if let Err(e) =
        passa_db::topology::require_direct_primary(&mut conn, config, "passa sync").await
    {
        db::close(conn).await;
        return Err(e.into());
    }
    let rpc = Rpc::connect(&network).await?;
    let options = passa_sync::SyncOptions {
        once: args.once,
        from_ledger: args.from_ledger,
        page_size: args.page_size,
        poll_interval: std::time::Duration::from_millis(args.poll_interval),
        ..Default::default()
    };
    let metrics = std::sync::Arc::new(passa_sync::metrics::SyncMetrics::default());
    if let Some(listen) = args.metrics_listen {
        let bound = passa_sync::metrics::serve(metrics.clone(), listen)
            .await
            .map_err(|e| Error::Metrics(listen, e))?;
        tracing::info!("metrics at http://{bound}/metrics");
        passa_sync::metrics::probe(
            rpc.clone(),
            metrics.clone(),
            std::time::Duration::from_secs(5),
        );
    }
    let reporter = passa_sync::metrics::Reporter::new(metrics);
    let result = passa_sync::run_observed(&rpc, &mut conn, &options, &reporter).await;
    db::close(conn).await;
    let report = result?;
    out!(
        "synced {} to ledger {}: {} page(s), {} event(s) seen, {} new, {} applied, {} ignored, \
         {} parked, {} unparked",
        network.name,
        report.last_ledger,
        report.pages,
        report.events_seen,
        report.events_new,
        report.applied,
        report.ignored,
        report.parked,
        report.unparked
    );
    Ok(())
}

pub(super) async fn run_verify(config: &DbConfig, args: VerifyArgs) -> Result<()> {
    let network = args.network.resolve()?;
    let mut conn = db::connect(config).await?;
    let rpc = Rpc::connect(&network).await;
    let result = match rpc {
        Ok(rpc) => passa_sync::verify::verify(&rpc, &mut conn, network.name)
            .await
            .map_err(Error::from),
        Err(e) => Err(e.into()),
    };
    db::close(conn).await;
    let report = result?;
    for drift in &report.drift {
        out!("DRIFT {drift}");
    }
    out!(
        "checked {} ticket(s), {} event(s), {} contribution(s) on {}: {}",
        report.tickets,
        report.events,
        report.contributions,
        network.name,
        if report.drift.is_empty() {
            "no drift".to_owned()
        } else {
            format!("{} difference(s)", report.drift.len())
        }
    );
    if report.drift.is_empty() {
        Ok(())
    } else {
        Err(Error::Drift(report.drift.len()))
    }
}
