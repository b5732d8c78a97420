//! Re-runnable benchmarks of the devnet, for `passa bench devnet` and the ignored tests:
//!
//! - [`invocations_per_second`]: a devnet on a loopback port and `clients` concurrent
//!   clients, each running `rounds` contract invocations the way an SDK does — read the
//!   account (`getLedgerEntries`), `simulateTransaction`, sign, `sendTransaction`, poll
//!   `getTransaction` until SUCCESS — so an invocation counts once it is applied in a closed
//!   ledger. Target: [`TARGET_INVOCATIONS_PER_SECOND`].
//! - [`memory_after_entries`]: the resident set size of a node holding that many ledger
//!   entries, one invocation's time at that size, and what `--state-dir` costs then (one save,
//!   one load).
//!
//! Both use the devnet's test contract (a counter per caller, an event per bump) and print a
//! short table through `Display`.
use std::{
    fmt,
    time::{Duration, Instant},
};

use ed25519_dalek::SigningKey;
use soroban_env_host::xdr::{
    AccountId, ContractDataDurability, ContractDataEntry, ContractExecutable, ContractId,
    ContractIdPreimage, ContractIdPreimageFromAddress, CreateContractArgsV2, ExtensionPoint, Hash,
    HashIdPreimage, HashIdPreimageContractId, HostFunction, InvokeContractArgs,
    InvokeHostFunctionOp, LedgerEntry, LedgerEntryData, LedgerEntryExt, Memo, MuxedAccount,
    Operation, OperationBody, Preconditions, ScAddress, ScSymbol, ScVal, SequenceNumber,
    SorobanAuthorizationEntry, SorobanTransactionData, Transaction, TransactionEnvelope,
    TransactionExt, Uint256, WriteXdr,
};

use crate::{
    accounts,
    error::{Error, Result, XdrContext},
    ledger::{sha256, XDR_LIMITS},
    node::{GenesisOptions, Node, SubmitStatus},
    simulate::{self, AuthMode},
    Devnet, DevnetOptions,
};

/// The devnet's test contract: `__constructor(admin, start)`, `bump(caller, by) -> u32`.
const WASM: &[u8] = include_bytes!("../tests/fixtures/devnet_test_contract.wasm");

/// What the throughput benchmark must reach: contract invocations per second, applied end to
/// end through the RPC port.
pub const TARGET_INVOCATIONS_PER_SECOND: f64 = 200.0;

/// The most clients [`invocations_per_second`] runs (each is a funded account).
pub const MAX_CLIENTS: usize = 1_000;

/// How [`invocations_per_second`] runs. Each client has at most one transaction per ledger,
/// so the throughput cannot exceed `clients / ledger_close`: raise `clients` to find the
/// machine's own ceiling (about 650/s with 200 clients on two shared cores).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchOptions {
    /// Concurrent clients, each with its own account (stellar-core takes one transaction per
    /// account per ledger, so this bounds what one ledger can hold).
    pub clients: usize,
    /// Invocations each client runs, one after the other.
    pub rounds: usize,
    /// Time between ledger closes.
    pub ledger_close: Duration,
}

impl Default for BenchOptions {
    /// 60 clients × 10 invocations against 100 ms ledgers: enough to fill the two cores of a
    /// small machine.
    fn default() -> Self {
        Self {
            clients: 60,
            rounds: 10,
            ledger_close: Duration::from_millis(100),
        }
    }
}

/// What [`invocations_per_second`] measured.
#[derive(Clone, Debug)]
pub struct InvocationsReport {
    pub options: BenchOptions,
    /// Invocations applied successfully (clients × rounds).
    pub invocations: usize,
    /// Ledgers closed while they ran.
    pub ledgers: u32,
    /// From the first client's start to the last SUCCESS seen.
    pub elapsed: Duration,
    pub per_second: f64,
    /// One invocation, from reading the account to seeing SUCCESS: median and 95th
    /// percentile.
    pub latency_p50: Duration,
    pub latency_p95: Duration,
}

impl InvocationsReport {
    /// Whether the throughput reaches [`TARGET_INVOCATIONS_PER_SECOND`].
    pub fn meets_target(&self) -> bool {
        self.per_second >= TARGET_INVOCATIONS_PER_SECOND
    }
}

impl fmt::Display for InvocationsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        writeln!(
            f,
            "devnet: contract invocations through the RPC port (simulate, sign, send, poll)"
        )?;
        writeln!(f, "  clients            {}", o.clients)?;
        writeln!(
            f,
            "  invocations        {} ({} per client)",
            self.invocations, o.rounds
        )?;
        writeln!(
            f,
            "  ledger close       {} ms ({} ledgers closed)",
            o.ledger_close.as_millis(),
            self.ledgers
        )?;
        writeln!(
            f,
            "  elapsed            {:.2} s",
            self.elapsed.as_secs_f64()
        )?;
        writeln!(
            f,
            "  throughput         {:.0} invocations/s (target {:.0}: {})",
            self.per_second,
            TARGET_INVOCATIONS_PER_SECOND,
            if self.meets_target() {
                "met"
            } else {
                "NOT met"
            }
        )?;
        write!(
            f,
            "  latency p50 / p95  {} ms / {} ms",
            self.latency_p50.as_millis(),
            self.latency_p95.as_millis()
        )
    }
}

/// What [`memory_after_entries`] measured.
#[derive(Clone, Debug)]
pub struct MemoryReport {
    /// Ledger entries held at the end (configuration, accounts, the contracts and the fill).
    pub entries: usize,
    /// Resident set size of this process before the node was created and with the entries,
    /// MiB; `None` where `/proc/self/status` is missing (not Linux).
    pub rss_before_mib: Option<f64>,
    pub rss_after_mib: Option<f64>,
    /// One invocation (simulate, validate, apply in a ledger close) at that size.
    pub invocation: Duration,
    /// The state file `--state-dir` would hold, its save and its load.
    pub state_bytes: u64,
    pub save: Duration,
    pub load: Duration,
}

impl fmt::Display for MemoryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.0} MiB"));
        writeln!(f, "devnet: memory with {} ledger entries", self.entries)?;
        let growth = match (self.rss_before_mib, self.rss_after_mib) {
            (Some(b), Some(a)) => format!(" (+{:.0} MiB)", a - b),
            _ => String::new(),
        };
        writeln!(
            f,
            "  RSS before / after {} / {}{growth}",
            mib(self.rss_before_mib),
            mib(self.rss_after_mib)
        )?;
        writeln!(
            f,
            "  one invocation     {:.1} ms",
            self.invocation.as_secs_f64() * 1e3
        )?;
        write!(
            f,
            "  state file         {:.1} MiB, saved in {} ms, loaded in {} ms",
            self.state_bytes as f64 / (1024.0 * 1024.0),
            self.save.as_millis(),
            self.load.as_millis()
        )
    }
}

/// Resident set size of this process in MiB (Linux).
pub fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn bench_err(what: &str) -> impl FnOnce(stellar_rpc_client::Error) -> Error + '_ {
    move |e| Error::Bench(format!("{what}: {e}"))
}

/// A deterministic key per role, so that runs are comparable.
fn key(role: &str) -> SigningKey {
    SigningKey::from_bytes(&sha256(format!("passa-devnet bench {role}").as_bytes()))
}

fn account(key: &SigningKey) -> AccountId {
    accounts::account_id(key.verifying_key().to_bytes())
}

fn bump(contract: &ScAddress, caller: &AccountId) -> Result<HostFunction> {
    Ok(HostFunction::InvokeContract(InvokeContractArgs {
        contract_address: contract.clone(),
        function_name: ScSymbol("bump".try_into().xdr("function name")?),
        args: vec![
            ScVal::Address(ScAddress::Account(caller.clone())),
            ScVal::U32(1),
        ]
        .try_into()
        .xdr("arguments")?,
    }))
}

/// Upload and constructor of the test contract (admin `admin`, counters from 10), and the
/// contract's address.
fn deployment(network_id: &[u8; 32], admin: &AccountId) -> Result<([HostFunction; 2], ScAddress)> {
    let upload = HostFunction::UploadContractWasm(WASM.to_vec().try_into().xdr("wasm")?);
    let preimage = ContractIdPreimage::Address(ContractIdPreimageFromAddress {
        address: ScAddress::Account(admin.clone()),
        salt: Uint256([7; 32]),
    });
    let id = sha256(
        &HashIdPreimage::ContractId(HashIdPreimageContractId {
            network_id: Hash(*network_id),
            contract_id_preimage: preimage.clone(),
        })
        .to_xdr(XDR_LIMITS)
        .xdr("contract id preimage")?,
    );
    let create = HostFunction::CreateContractV2(CreateContractArgsV2 {
        contract_id_preimage: preimage,
        executable: ContractExecutable::Wasm(Hash(sha256(WASM))),
        constructor_args: vec![
            ScVal::Address(ScAddress::Account(admin.clone())),
            ScVal::U32(10),
        ]
        .try_into()
        .xdr("constructor arguments")?,
    });
    Ok(([upload, create], ScAddress::Contract(ContractId(Hash(id)))))
}

/// The signed envelope of one invocation with the simulated resources and auth.
fn envelope(
    network_id: &[u8; 32],
    key: &SigningKey,
    seq: i64,
    f: HostFunction,
    auth: Vec<SorobanAuthorizationEntry>,
    data: SorobanTransactionData,
) -> Result<TransactionEnvelope> {
    let fee = u32::try_from(data.resource_fee + 100)
        .map_err(|_| Error::Bench(format!("resource fee {} too large", data.resource_fee)))?;
    let tx = Transaction {
        source_account: MuxedAccount::Ed25519(Uint256(key.verifying_key().to_bytes())),
        fee,
        seq_num: SequenceNumber(seq),
        cond: Preconditions::None,
        memo: Memo::None,
        operations: vec![Operation {
            source_account: None,
            body: OperationBody::InvokeHostFunction(InvokeHostFunctionOp {
                host_function: f,
                auth: auth.try_into().xdr("auth entries")?,
            }),
        }]
        .try_into()
        .xdr("operations")?,
        ext: TransactionExt::V1(data),
    };
    accounts::sign(key, network_id, tx)
}

/// Through the RPC: read the account, simulate, sign, send, poll until SUCCESS.
async fn invoke_rpc(
    client: &stellar_rpc_client::Client,
    network_id: &[u8; 32],
    key: &SigningKey,
    f: HostFunction,
) -> Result<()> {
    let me = account(key).to_string();
    let seq = client
        .get_account(&me)
        .await
        .map_err(bench_err("getLedgerEntries (account)"))?
        .seq_num
        .0
        + 1;
    let draft = envelope(
        network_id,
        key,
        seq,
        f.clone(),
        vec![],
        SorobanTransactionData::default(),
    )?;
    let sim = client
        .simulate_transaction_envelope(&draft, None)
        .await
        .map_err(bench_err("simulateTransaction"))?;
    if let Some(e) = &sim.error {
        return Err(Error::Bench(format!("simulateTransaction: {e}")));
    }
    let auth = sim
        .results()
        .map_err(bench_err("simulation results"))?
        .into_iter()
        .flat_map(|r| r.auth)
        .collect();
    let data = sim
        .transaction_data()
        .map_err(bench_err("simulation transaction data"))?;
    let env = envelope(network_id, key, seq, f, auth, data)?;
    let hash = client
        .send_transaction(&env)
        .await
        .map_err(bench_err("sendTransaction"))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = client
            .get_transaction(&hash)
            .await
            .map_err(bench_err("getTransaction"))?;
        match r.status.as_str() {
            "SUCCESS" => return Ok(()),
            "NOT_FOUND" if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            other => return Err(Error::Bench(format!("transaction {hash}: {other}"))),
        }
    }
}

/// `GET /friendbot?addr=…` over a plain HTTP/1.1 connection.
async fn friendbot(addr: std::net::SocketAddr, account: &AccountId) -> Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let io = |e: std::io::Error| Error::Bench(format!("friendbot at {addr}: {e}"));
    let mut s = tokio::net::TcpStream::connect(addr).await.map_err(io)?;
    let request = format!(
        "GET /friendbot?addr={account} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(request.as_bytes()).await.map_err(io)?;
    let mut answer = vec![];
    s.read_to_end(&mut answer).await.map_err(io)?;
    if answer.starts_with(b"HTTP/1.1 200") {
        Ok(())
    } else {
        let text = String::from_utf8_lossy(&answer);
        Err(Error::Bench(format!("friendbot refused {account}: {text}")))
    }
}

/// Runs the throughput benchmark (see the module docs) on a new in-memory devnet on
/// 127.0.0.1. Needs a multi-threaded tokio runtime; takes a few seconds with the defaults.
pub async fn invocations_per_second(options: BenchOptions) -> Result<InvocationsReport> {
    if options.clients == 0 || options.clients > MAX_CLIENTS || options.rounds == 0 {
        return Err(Error::Bench(format!(
            "needs 1 to {MAX_CLIENTS} clients and at least one round, not {} × {}",
            options.clients, options.rounds
        )));
    }
    let devnet = Devnet::start(DevnetOptions {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ledger_close: options.ledger_close,
        ..Default::default()
    })
    .await?;
    let outcome = run_invocations(&devnet, &options).await;
    devnet.shutdown().await;
    outcome
}

async fn run_invocations(devnet: &Devnet, options: &BenchOptions) -> Result<InvocationsReport> {
    let client =
        stellar_rpc_client::Client::new(&devnet.rpc_url()).map_err(bench_err("RPC client"))?;
    let passphrase = client
        .get_network()
        .await
        .map_err(bench_err("getNetwork"))?
        .passphrase;
    let network_id = crate::ledger::network_id(&passphrase);
    let addr = devnet.addr();

    // Setup: the admin deploys the contract, every client gets an account.
    let admin = key("admin");
    friendbot(addr, &account(&admin)).await?;
    let (deploy, contract) = deployment(&network_id, &account(&admin))?;
    for f in deploy {
        invoke_rpc(&client, &network_id, &admin, f).await?;
    }
    let keys: Vec<SigningKey> = (0..options.clients)
        .map(|n| key(&format!("client {n}")))
        .collect();
    let mut funding = tokio::task::JoinSet::new();
    for k in &keys {
        let id = account(k);
        funding.spawn(async move { friendbot(addr, &id).await });
    }
    while let Some(done) = funding.join_next().await {
        done.map_err(|e| Error::Bench(format!("funding task: {e}")))??;
    }

    // The measured part.
    let first_ledger = client
        .get_latest_ledger()
        .await
        .map_err(bench_err("getLatestLedger"))?
        .sequence;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for k in keys {
        let (client, contract, rounds) = (client.clone(), contract.clone(), options.rounds);
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(rounds);
            for _ in 0..rounds {
                let t = Instant::now();
                invoke_rpc(&client, &network_id, &k, bump(&contract, &account(&k))?).await?;
                latencies.push(t.elapsed());
            }
            Ok::<_, Error>(latencies)
        });
    }
    let mut latencies = vec![];
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done.map_err(|e| Error::Bench(format!("client task: {e}")))??);
    }
    let elapsed = started.elapsed();
    let last_ledger = client
        .get_latest_ledger()
        .await
        .map_err(bench_err("getLatestLedger"))?
        .sequence;
    latencies.sort_unstable();
    let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    Ok(InvocationsReport {
        options: options.clone(),
        invocations: latencies.len(),
        ledgers: last_ledger - first_ledger,
        elapsed,
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        latency_p50: percentile(50),
        latency_p95: percentile(95),
    })
}

/// In process: simulates `f` as `key`, queues the signed transaction, closes a ledger and
/// checks that it succeeded.
fn invoke_in_node(node: &mut Node, key: &SigningKey, f: HostFunction, now: u64) -> Result<()> {
    let me = account(key);
    let sim = simulate::invoke(&node.ledger, &me, f.clone(), AuthMode::Record, vec![], now)?;
    if let Err(e) = &sim.invoke_result {
        return Err(Error::Bench(format!("simulation failed: {e:?}")));
    }
    let data = sim
        .transaction_data
        .clone()
        .ok_or_else(|| Error::Bench("simulation gave no transaction data".into()))?;
    let seq = accounts::load(&node.ledger, &me)
        .ok_or_else(|| Error::Bench(format!("{me} has no account")))?
        .seq_num
        .0
        + 1;
    let env = envelope(&node.ledger.network_id, key, seq, f, sim.auth, data)?;
    let (status, hash) = node.submit(&env, now)?;
    if status != SubmitStatus::Pending {
        return Err(Error::Bench(format!("submission: {status:?}")));
    }
    node.close_ledger(now)?;
    match node.transaction(&hash) {
        Some(t) if t.success => Ok(()),
        _ => Err(Error::Bench("the invocation failed".into())),
    }
}

/// Runs the memory benchmark (see the module docs): a node in this process with `entries`
/// ledger entries (persistent contract data of the test contract, written directly), its
/// RSS, one invocation at that size, and a save and load of its state in a temporary
/// directory (removed after). Blocks for a few seconds.
pub fn memory_after_entries(entries: usize) -> Result<MemoryReport> {
    let rss_before_mib = rss_mib();
    let now = crate::service::unix_now();
    let mut node = Node::genesis(&GenesisOptions::default(), now)?;
    let admin = key("admin");
    node.fund(&account(&admin));
    node.close_ledger(now)?;
    let network_id = node.ledger.network_id;
    let (deploy, contract) = deployment(&network_id, &account(&admin))?;
    for f in deploy {
        invoke_in_node(&mut node, &admin, f, now)?;
    }

    let ScAddress::Contract(contract_id) = &contract else {
        return Err(Error::Bench(
            "the contract address is not a contract".into(),
        ));
    };
    let live_until = node.ledger.next_sequence() + 1_000_000;
    let mut i = 0u64;
    while node.ledger.len() < entries {
        node.ledger.put(
            LedgerEntry {
                last_modified_ledger_seq: 0,
                data: LedgerEntryData::ContractData(ContractDataEntry {
                    ext: ExtensionPoint::V0,
                    contract: ScAddress::Contract(contract_id.clone()),
                    key: ScVal::U64(i),
                    durability: ContractDataDurability::Persistent,
                    val: ScVal::U64(i.wrapping_mul(3)),
                }),
                ext: LedgerEntryExt::V0,
            },
            Some(live_until),
        )?;
        i += 1;
    }
    node.close_ledger(now)?;
    let rss_after_mib = rss_mib();

    let t = Instant::now();
    invoke_in_node(&mut node, &admin, bump(&contract, &account(&admin))?, now)?;
    let invocation = t.elapsed();

    let dir = std::env::temp_dir().join(format!(
        "passa-devnet-bench-{}-{}",
        std::process::id(),
        t.elapsed().as_nanos()
    ));
    let t = Instant::now();
    let saved = crate::persist::save(&node, &dir);
    let save = t.elapsed();
    let state_bytes = std::fs::metadata(crate::persist::state_file(&dir))
        .map(|m| m.len())
        .unwrap_or(0);
    let t = Instant::now();
    let loaded = saved.and_then(|()| crate::persist::load(&dir));
    let load = t.elapsed();
    // Remove the directory whatever happened; a failure to do so is not the benchmark's.
    let _ = std::fs::remove_dir_all(&dir);
    let loaded = loaded?.ok_or_else(|| Error::Bench("the saved state did not load".into()))?;
    if loaded.ledger.len() != node.ledger.len() {
        return Err(Error::Bench(format!(
            "the loaded state holds {} entries, not {}",
            loaded.ledger.len(),
            node.ledger.len()
        )));
    }
    Ok(MemoryReport {
        entries: node.ledger.len(),
        rss_before_mib,
        rss_after_mib,
        invocation,
        state_bytes,
        save,
        load,
    })
}
