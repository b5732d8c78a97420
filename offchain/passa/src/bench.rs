//! `passa bench sync`: how fast `passa sync` backfills contract events into PostgreSQL, next
//! to a plain `COPY` of the same raw rows, measured in the same run.
//!
//! 1. A `passa devnet` in this process (25 ms ledgers), a scratch database on the server of
//!    `DATABASE_URL` (created, migrated, dropped at the end), the contracts deployed, an
//!    organizer verified and an event with a tier big enough for everything per deployment.
//! 2. Thirty-two buyers purchase at once, 10 tickets at a time (10 `mint` events and one
//!    `purchased` each), until the contract has emitted the number of events asked for.
//! 3. `passa sync --once` (this binary, as a child process) backfills from the first ledger
//!    into the scratch database: wall time, events per second, the child's peak RSS (sampled
//!    from /proc: `getrusage` would count the pages the child shared with this process
//!    between fork and exec).
//! 4. The raw rows it stored (`chain_events`) are exported and loaded again with `COPY` into a
//!    table like it (the same indexes, checks and foreign key): rows per second. The tickets
//!    it wrote are loaded again the same way: the sync must write both in one transaction per
//!    page, so on one connection the two COPYs together bound the sync / COPY ratio.
//! 5. Live lag: on a second devnet closing a ledger a second, `passa sync` follows while a
//!    buyer purchases in every ledger; every 50 ms the latest closed ledger minus the last
//!    ledger the mirror applied is sampled.
//!
//! With [`SyncBenchOptions::reuse`] the devnet keeps its state in that directory and the
//! database as it was before the backfill is kept as a template (`passa_bench_seed_<events>`):
//! a second run with the same directory and event count skips step 2 and measures the backfill
//! again on the same ledgers (for profiling the sync without producing the events each time).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt as _;
use sqlx::{Connection, PgConnection};

use crate::demo::{self, Cast, XLM};
use passa_db::config::DbConfig;
use passa_deploy::deploy::{self, DeployOptions, Quiet};
use passa_stellar::keys::{self, Signer};
use passa_stellar::network::{Network, NetworkName};
use passa_stellar::rpc::{self, Rpc};
use passa_stellar::scval;

/// Why the benchmark stopped.
#[derive(Debug, thiserror::Error)]
#[error("bench sync: {0}")]
pub struct BenchError(String);

fn fail(what: &str) -> impl Fn(String) -> BenchError + '_ {
    move |e| BenchError(format!("{what}: {e}"))
}

/// How the benchmark runs.
#[derive(Debug, Clone)]
pub struct SyncBenchOptions {
    /// Contract events to produce and backfill.
    pub events: u64,
    /// The database server (its URL; a scratch database is made on it).
    pub database_url: String,
    /// The contracts' wasm.
    pub wasm_dir: PathBuf,
    /// Keep the produced ledgers and database here and reuse them on the next run.
    pub reuse: Option<PathBuf>,
}

/// What the benchmark measured.
#[derive(Debug, Clone)]
pub struct SyncBenchReport {
    /// Events stored by the sync.
    pub events: u64,
    /// Transactions sent to produce them, and how long that took.
    pub transactions: u64,
    /// Producing the events.
    pub produce: Duration,
    /// The backfill, end to end (process start to exit).
    pub sync: Duration,
    /// The sync child's peak resident memory, MiB.
    pub sync_peak_rss_mib: Option<f64>,
    /// Loading the same raw rows with COPY.
    pub copy: Duration,
    /// Tickets the sync wrote, and loading them again with COPY: the floor of what the sync
    /// must do beyond the raw rows.
    pub tickets: u64,
    pub tickets_copy: Duration,
    /// How far the mirror trailed a live network.
    pub live: LiveLag,
}

/// `passa sync` following a devnet that closes a ledger a second, a purchase in every
/// ledger: how many ledgers the mirror trailed the network by, sampled every 50 ms
/// (latest closed ledger − last ledger applied).
#[derive(Debug, Clone, Default)]
pub struct LiveLag {
    /// The samples, in ledgers, sorted.
    pub samples: Vec<u32>,
    /// Purchases made while sampling, and those the mirror held at the end.
    pub purchases: u64,
    pub mirrored: u64,
}

impl LiveLag {
    /// The `q` quantile (0–1) of the samples.
    pub fn quantile(&self, q: f64) -> u32 {
        let last = self.samples.len().saturating_sub(1);
        let at = ((last as f64) * q).round() as usize;
        self.samples.get(at.min(last)).copied().unwrap_or(0)
    }
}

impl SyncBenchReport {
    /// Events applied per second by the sync.
    pub fn sync_rate(&self) -> f64 {
        self.events as f64 / self.sync.as_secs_f64().max(1e-9)
    }

    /// Rows loaded per second by COPY.
    pub fn copy_rate(&self) -> f64 {
        self.events as f64 / self.copy.as_secs_f64().max(1e-9)
    }
}

impl std::fmt::Display for SyncBenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ratio = self.sync_rate() / self.copy_rate().max(1e-9);
        writeln!(f, "sync: backfill of contract events into PostgreSQL")?;
        writeln!(
            f,
            "  produced           {} events in {} transactions, {:.1} s",
            self.events,
            self.transactions,
            self.produce.as_secs_f64()
        )?;
        writeln!(
            f,
            "  passa sync --once  {:.1} s: {:.0} events/s (target 20 000: {})",
            self.sync.as_secs_f64(),
            self.sync_rate(),
            if self.sync_rate() >= 20_000.0 {
                "met"
            } else {
                "NOT met"
            }
        )?;
        writeln!(
            f,
            "  COPY of the rows   {:.2} s: {:.0} rows/s; sync / COPY = {ratio:.2} (target 0.5: {})",
            self.copy.as_secs_f64(),
            self.copy_rate(),
            if ratio >= 0.5 { "met" } else { "NOT met" }
        )?;
        // The sync writes both tables in one transaction per page, so on one connection it
        // cannot take less than the two COPYs: the best ratio this server allows.
        let floor = self.copy.as_secs_f64() + self.tickets_copy.as_secs_f64();
        writeln!(
            f,
            "  COPY of tickets    {:.2} s ({} rows); both COPYs {floor:.2} s: \
             sync / COPY ≤ {:.2} on one connection",
            self.tickets_copy.as_secs_f64(),
            self.tickets,
            self.copy.as_secs_f64() / floor.max(1e-9)
        )?;
        match self.sync_peak_rss_mib {
            Some(rss) => writeln!(
                f,
                "  sync peak RSS      {rss:.0} MiB (target 150: {})",
                if rss <= 150.0 { "met" } else { "NOT met" }
            )?,
            None => writeln!(f, "  sync peak RSS      not measured on this platform")?,
        }
        let live = &self.live;
        let max = live.samples.last().copied().unwrap_or(0);
        write!(
            f,
            "  live lag           1 s ledgers, {} purchases ({} mirrored), {} samples: \
             p50 {} / p95 {} / max {} ledgers (target ≤ 1: {})",
            live.purchases,
            live.mirrored,
            live.samples.len(),
            live.quantile(0.5),
            live.quantile(0.95),
            max,
            if max <= 1 && live.mirrored == live.purchases && !live.samples.is_empty() {
                "met"
            } else {
                "NOT met"
            }
        )
    }
}

/// Runs the benchmark (see the module docs).
///
/// # Errors
/// [`BenchError`] naming the stage that failed.
pub async fn sync_backfill(options: &SyncBenchOptions) -> Result<SyncBenchReport, BenchError> {
    let devnet = passa_devnet::Devnet::start(passa_devnet::DevnetOptions {
        listen: "127.0.0.1:0"
            .parse()
            .map_err(|e| BenchError(format!("{e}")))?,
        ledger_close: Duration::from_millis(25),
        state_dir: options.reuse.as_ref().map(|dir| dir.join("devnet")),
        ..Default::default()
    })
    .await
    .map_err(|e| fail("starting the devnet")(e.to_string()))?;
    let seed = match &options.reuse {
        Some(dir) => Seed::find(dir, options.events)?,
        None => None,
    };
    let scratch = match &seed {
        Some(seed) => Scratch::from_template(&options.database_url, &seed.database).await?,
        None => Scratch::create(&options.database_url).await?,
    };
    let result = match seed {
        Some(seed) => backfill(&devnet.rpc_url(), &scratch, seed.produced).await,
        None => run(options, &devnet.rpc_url(), &scratch).await,
    };
    devnet.shutdown().await;
    scratch.drop_database().await;
    let mut report = result?;
    report.live = live_lag(options).await?;
    Ok(report)
}

/// Ledgers the live phase lasts.
const LIVE_LEDGERS: u32 = 20;

/// The live phase (see [`LiveLag`]), on a devnet and a scratch database of its own.
async fn live_lag(options: &SyncBenchOptions) -> Result<LiveLag, BenchError> {
    let devnet = passa_devnet::Devnet::start(passa_devnet::DevnetOptions {
        listen: "127.0.0.1:0"
            .parse()
            .map_err(|e| BenchError(format!("{e}")))?,
        ledger_close: Duration::from_secs(1),
        ..Default::default()
    })
    .await
    .map_err(|e| fail("starting the devnet")(e.to_string()))?;
    let scratch = Scratch::create(&options.database_url).await?;
    let result = follow(options, &devnet.rpc_url(), &scratch).await;
    devnet.shutdown().await;
    scratch.drop_database().await;
    result
}

async fn follow(
    options: &SyncBenchOptions,
    rpc_url: &str,
    scratch: &Scratch,
) -> Result<LiveLag, BenchError> {
    let (rpc, mut db) = connect(rpc_url, scratch).await?;
    let cast = Cast::new(&rpc, funded(&rpc).await?)
        .await
        .map_err(|e| fail("funding")(e.to_string()))?;
    let sale = open_sale(&rpc, &mut db, &cast, &options.wasm_dir, "live").await?;
    let buyer = funded(&rpc).await?;
    let mut child = sync_command(rpc_url, scratch, false)?
        .spawn()
        .map_err(|e| fail("starting passa sync")(e.to_string()))?;
    let result = async {
        // Caught up first.
        let started = Instant::now();
        while lag(&rpc, &mut db).await?.is_none_or(|l| l > 1) {
            if started.elapsed() > Duration::from_secs(60) {
                return Err(BenchError("passa sync did not catch up in 60 s".to_owned()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // A purchase in every ledger (each waits for its inclusion), sampled meanwhile.
        let buying = {
            let (rpc, sale) = (rpc.clone(), sale.clone());
            tokio::spawn(async move {
                let mut made = 0u64;
                for n in 0..LIVE_LEDGERS {
                    purchase(&rpc, &buyer, &sale, n * PER_PURCHASE + 1).await?;
                    made += 1;
                }
                Ok::<u64, BenchError>(made)
            })
        };
        let mut samples = vec![];
        while !buying.is_finished() {
            if let Some(l) = lag(&rpc, &mut db).await? {
                samples.push(l);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let purchases = buying
            .await
            .map_err(|e| fail("the buyer")(e.to_string()))??;
        // The last purchase's ledger applied, then count what the mirror holds.
        let settle = Instant::now();
        while lag(&rpc, &mut db).await?.is_none_or(|l| l > 0)
            && settle.elapsed() < Duration::from_secs(5)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let tickets: i64 =
            sqlx::query_scalar("SELECT count(*) FROM tickets WHERE token_id IS NOT NULL")
                .fetch_one(&mut db)
                .await
                .map_err(|e| fail("counting tickets")(e.to_string()))?;
        samples.sort_unstable();
        Ok(LiveLag {
            samples,
            purchases,
            mirrored: u64::try_from(tickets).unwrap_or(0) / u64::from(PER_PURCHASE),
        })
    }
    .await;
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// Ledgers the mirror trails the network by: latest closed − last applied (`None` before the
/// sync stored a cursor). The mirror is read first, so a ledger closing in between counts
/// against it.
async fn lag(rpc: &Rpc, db: &mut PgConnection) -> Result<Option<u32>, BenchError> {
    let applied: Option<i64> = sqlx::query_scalar("SELECT last_ledger FROM sync_cursors")
        .fetch_optional(&mut *db)
        .await
        .map_err(|e| fail("reading the cursor")(e.to_string()))?;
    let latest = rpc
        .latest_ledger()
        .await
        .map_err(|e| fail("latest ledger")(e.to_string()))?;
    Ok(applied.map(|a| u32::try_from(i64::from(latest) - a).unwrap_or(0)))
}

/// How the events were produced: sent transactions, and how long that took.
#[derive(Debug, Clone, Copy)]
struct Produced {
    transactions: u64,
    took: Duration,
}

/// A kept production (`--reuse`): the template database and what went into it.
struct Seed {
    database: String,
    produced: Produced,
}

impl Seed {
    const FILE: &'static str = "seed";

    fn database_name(events: u64) -> String {
        format!("passa_bench_seed_{events}")
    }

    /// The kept production for `events` in `dir`, if there is one.
    fn find(dir: &std::path::Path, events: u64) -> Result<Option<Self>, BenchError> {
        let Ok(text) = std::fs::read_to_string(dir.join(Self::FILE)) else {
            return Ok(None);
        };
        let fields: Vec<&str> = text.split_whitespace().collect();
        let bad = || {
            BenchError(format!(
                "{}: unreadable, remove the directory",
                dir.display()
            ))
        };
        let [kept_events, transactions, millis] = fields[..] else {
            return Err(bad());
        };
        if kept_events.parse::<u64>().map_err(|_| bad())? != events {
            return Err(BenchError(format!(
                "{} holds a production of {kept_events} events, not {events}: remove it or \
                 ask for {kept_events}",
                dir.display()
            )));
        }
        Ok(Some(Self {
            database: Self::database_name(events),
            produced: Produced {
                transactions: transactions.parse().map_err(|_| bad())?,
                took: Duration::from_millis(millis.parse().map_err(|_| bad())?),
            },
        }))
    }

    /// Keeps the scratch database as it is now (no connection open) as the template of later
    /// runs, and notes it in `dir`.
    async fn keep(
        dir: &std::path::Path,
        events: u64,
        scratch: &Scratch,
        produced: Produced,
    ) -> Result<(), BenchError> {
        let name = Self::database_name(events);
        let mut admin = passa_db::connect(&scratch.admin)
            .await
            .map_err(|e| fail("connecting to the server")(e.to_string()))?;
        for sql in [
            format!("DROP DATABASE IF EXISTS \"{name}\""),
            format!("CREATE DATABASE \"{name}\" TEMPLATE \"{}\"", scratch.name),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
                .map_err(|e| fail("keeping the produced database")(e.to_string()))?;
        }
        let note = format!(
            "{events} {} {}\n",
            produced.transactions,
            produced.took.as_millis()
        );
        std::fs::write(dir.join(Self::FILE), note)
            .map_err(|e| fail("writing the seed note")(e.to_string()))
    }
}

async fn run(
    options: &SyncBenchOptions,
    rpc_url: &str,
    scratch: &Scratch,
) -> Result<SyncBenchReport, BenchError> {
    let (rpc, mut db) = connect(rpc_url, scratch).await?;
    // One sale, many buyers at once: each purchase names its own token ids, so purchases
    // simulated on the same ledger state all apply.
    let cast = Cast::new(&rpc, funded(&rpc).await?)
        .await
        .map_err(|e| fail("funding")(e.to_string()))?;
    let mut markets = Vec::new();
    for i in 0..DEPLOYMENTS {
        markets.push(
            open_sale(
                &rpc,
                &mut db,
                &cast,
                &options.wasm_dir,
                &format!("bench{i}"),
            )
            .await?,
        );
    }

    // Produce the events.
    let per_purchase = u64::from(PER_PURCHASE) + 1;
    let purchases = options.events.div_ceil(per_purchase);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut clients = Vec::new();
    for market in markets {
        for _ in 0..BUYERS {
            let buyer = funded(&rpc).await?;
            let (rpc, next, market) = (rpc.clone(), next.clone(), market.clone());
            clients.push(tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= purchases {
                        break;
                    }
                    let first = u32::try_from(n * u64::from(PER_PURCHASE) + 1)
                        .map_err(|_| BenchError("more tickets than token ids".to_owned()))?;
                    purchase(&rpc, &buyer, &market, first).await?;
                }
                Ok::<(), BenchError>(())
            }));
        }
    }
    for client in clients {
        client
            .await
            .map_err(|e| fail("a client")(e.to_string()))??;
    }
    let produced = Produced {
        transactions: purchases,
        took: started.elapsed(),
    };
    db.close()
        .await
        .map_err(|e| fail("closing")(e.to_string()))?;
    if let Some(dir) = &options.reuse {
        Seed::keep(dir, options.events, scratch, produced).await?;
    }
    backfill(rpc_url, scratch, produced).await
}

/// The devnet at `rpc_url` and the scratch database.
async fn connect(rpc_url: &str, scratch: &Scratch) -> Result<(Rpc, PgConnection), BenchError> {
    let network = Network::resolve(NetworkName::Local, Some(rpc_url), None)
        .map_err(|e| fail("network")(e.to_string()))?;
    let rpc = Rpc::connect(&network)
        .await
        .map_err(|e| fail("connecting")(e.to_string()))?;
    Ok((rpc, scratch.connect().await?))
}

/// Deploys the contracts as `deployment`, registers the backend's rows for it, verifies the
/// organizer and opens an event with one tier big enough for anything; returns the ticketing
/// contract and the event id argument.
async fn open_sale(
    rpc: &Rpc,
    db: &mut PgConnection,
    cast: &Cast,
    wasm_dir: &std::path::Path,
    deployment: &str,
) -> Result<(stellar_xdr::ScAddress, stellar_xdr::ScVal), BenchError> {
    let mut deploy_options = DeployOptions::new(wasm_dir);
    deploy_options.deployment = deployment.to_owned();
    let report = deploy::deploy(rpc, db, &cast.admin, &deploy_options, &Quiet)
        .await
        .map_err(|e| fail("deploying")(e.to_string()))?;
    let ticketing = keys::parse_address(&report.contracts[0].address)
        .map_err(|e| fail("deployment")(e.to_string()))?;
    demo::register_off_chain(db, cast, deployment)
        .await
        .map_err(|e| fail("the backend's rows")(e.to_string()))?;
    let event = scval::bytes(&demo::event_id(deployment, "main"))
        .map_err(|e| fail("event id")(e.to_string()))?;
    let now = rpc
        .ledger_time()
        .await
        .map_err(|e| fail("ledger time")(e.to_string()))?;
    let year = 365 * 24 * 3600;
    let tiers = [("GA", XLM / 100, u32::MAX / 2, u32::MAX)];
    let token =
        rpc::native_asset_contract(rpc.network()).map_err(|e| fail("XLM")(e.to_string()))?;
    let config = demo::event_config(&token, now, now + year, now + year + 3600, "bench", &tiers)
        .map_err(|e| fail("event config")(e.to_string()))?;
    let organizer = scval::address(&cast.organizer.sc_address());
    invoke(
        rpc,
        &cast.admin,
        &ticketing,
        "verify_organizer",
        vec![organizer.clone()],
    )
    .await?;
    let args = vec![organizer, event.clone(), config];
    invoke(rpc, &cast.organizer, &ticketing, "create_event", args).await?;
    Ok((ticketing, event))
}

/// `buyer`'s purchase of [`PER_PURCHASE`] tickets from `first`.
async fn purchase(
    rpc: &Rpc,
    buyer: &Signer,
    (ticketing, event): &(stellar_xdr::ScAddress, stellar_xdr::ScVal),
    first: u32,
) -> Result<(), BenchError> {
    let args = vec![
        scval::address(&buyer.sc_address()),
        event.clone(),
        scval::u32(0),
        scval::u32(first),
        scval::u32(PER_PURCHASE),
        scval::option(None),
    ];
    invoke(rpc, buyer, ticketing, "purchase", args).await
}

/// Steps 3 and 4: the backfill by the real binary, then COPY.
async fn backfill(
    rpc_url: &str,
    scratch: &Scratch,
    produced: Produced,
) -> Result<SyncBenchReport, BenchError> {
    let first_ledger = 1;
    // Backfill with the real binary.
    let mut command = sync_command(rpc_url, scratch, true)?;
    command.args(["--from-ledger", &first_ledger.to_string()]);
    command.stderr(Stdio::piped());
    let started = Instant::now();
    let (status, stderr, sync_peak_rss_mib) =
        tokio::task::spawn_blocking(move || run_sampling_peak_rss(command))
            .await
            .map_err(|e| fail("waiting for the sync")(e.to_string()))?
            .map_err(|e| fail("running passa sync")(e.to_string()))?;
    let sync = started.elapsed();
    if !status.success() {
        return Err(BenchError(format!("passa sync failed: {}", stderr.trim())));
    }

    // The same raw rows through COPY; then the tickets, the other large table it writes.
    let mut db = scratch.connect().await?;
    let (events, copy) = copy_rows(&mut db, &RAW_ROWS).await?;
    let (tickets, tickets_copy) = copy_rows(&mut db, &TICKET_ROWS).await?;
    db.close()
        .await
        .map_err(|e| fail("closing")(e.to_string()))?;
    Ok(SyncBenchReport {
        events,
        transactions: produced.transactions,
        produce: produced.took,
        sync,
        sync_peak_rss_mib,
        copy,
        tickets,
        tickets_copy,
        live: LiveLag::default(),
    })
}

/// Deployments (three contracts each) the events come from.
const DEPLOYMENTS: usize = 1;

/// Buyers purchasing at once from each deployment.
const BUYERS: usize = 32;

/// Tickets per purchase: the contract's maximum.
const PER_PURCHASE: u32 = 10;

async fn funded(rpc: &Rpc) -> Result<Signer, BenchError> {
    let signer = Signer::generate().map_err(|e| fail("a key")(e.to_string()))?;
    rpc.fund(&signer.account_id())
        .await
        .map_err(|e| fail("friendbot")(e.to_string()))?;
    Ok(signer)
}

async fn invoke(
    rpc: &Rpc,
    source: &Signer,
    contract: &stellar_xdr::ScAddress,
    function: &str,
    args: Vec<stellar_xdr::ScVal>,
) -> Result<(), BenchError> {
    let err = fail(function);
    let host_function =
        rpc::invoke_contract(contract, function, args).map_err(|e| err(e.to_string()))?;
    rpc.submit(source, &[], host_function, function)
        .await
        .map_err(|e| err(e.to_string()))?;
    Ok(())
}

/// `passa sync` (this binary) on the devnet at `rpc_url` into `scratch`; `--once` when
/// `once`. Its output is not kept.
fn sync_command(rpc_url: &str, scratch: &Scratch, once: bool) -> Result<Command, BenchError> {
    let exe = std::env::current_exe().map_err(|e| fail("locating passa")(e.to_string()))?;
    let mut command = Command::new(exe);
    command
        .args(["sync", "--rpc-url", rpc_url])
        .args(once.then_some("--once"))
        .env("DATABASE_URL", &scratch.url)
        .env("PASSA_NETWORK", "local")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Ok(command)
}

/// The raw rows: `chain_events`, and the foreign key `LIKE` does not copy.
const RAW_ROWS: CopyTable = CopyTable {
    table: "chain_events",
    foreign_keys: &["(smart_contract_id) REFERENCES smart_contracts (contract_id)"],
};

/// The tickets the sync wrote, with their foreign keys.
const TICKET_ROWS: CopyTable = CopyTable {
    table: "tickets",
    foreign_keys: &[
        "(event_id) REFERENCES events (event_id)",
        "(smart_contract_id) REFERENCES smart_contracts (contract_id)",
        "(owner_user_id) REFERENCES users (user_id)",
        "(purchase_transaction_id) REFERENCES transactions (transaction_id)",
    ],
};

/// A table whose rows [`copy_rows`] loads again.
struct CopyTable {
    table: &'static str,
    foreign_keys: &'static [&'static str],
}

/// Exports `what.table` and loads it again with COPY into a new table like it (its indexes,
/// checks and foreign keys); returns how many rows and how long the load took.
async fn copy_rows(db: &mut PgConnection, what: &CopyTable) -> Result<(u64, Duration), BenchError> {
    let err = fail("COPY");
    let table = what.table;
    let data: Vec<u8> = db
        .copy_out_raw(&format!("COPY {table} TO STDOUT"))
        .await
        .map_err(|e| err(e.to_string()))?
        .try_fold(Vec::new(), |mut all, chunk| async move {
            all.extend_from_slice(&chunk);
            Ok(all)
        })
        .await
        .map_err(|e| err(e.to_string()))?;
    let copy = format!("bench_copy_{table}");
    // LIKE copies the indexes and checks, not the foreign keys: added as the table has them.
    let mut statements = vec![format!("CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)")];
    for key in what.foreign_keys {
        statements.push(format!("ALTER TABLE {copy} ADD FOREIGN KEY {key}"));
    }
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&mut *db)
            .await
            .map_err(|e| err(e.to_string()))?;
    }
    let started = Instant::now();
    let mut load = db
        .copy_in_raw(&format!("COPY {copy} FROM STDIN"))
        .await
        .map_err(|e| err(e.to_string()))?;
    load.send(data).await.map_err(|e| err(e.to_string()))?;
    let rows = load.finish().await.map_err(|e| err(e.to_string()))?;
    Ok((rows, started.elapsed()))
}

/// Runs `command` to its end, sampling its peak resident memory (`VmHWM` in
/// /proc/PID/status, the high-water mark since its exec) every 20 ms; returns its status,
/// its stderr and the peak in MiB (`None` where /proc is not there).
fn run_sampling_peak_rss(
    mut command: Command,
) -> std::io::Result<(std::process::ExitStatus, String, Option<f64>)> {
    use std::io::Read as _;
    let mut child = command.spawn()?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib: Option<u64> = None;
    let mut stderr = child.stderr.take();
    // Drain stderr on a thread so a chatty child never blocks on a full pipe.
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(stderr) = stderr.as_mut() {
            let _ = stderr.read_to_string(&mut text);
        }
        text
    });
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            let hwm = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
            if let Some(hwm) = hwm {
                peak_kib = Some(peak_kib.map_or(hwm, |p| p.max(hwm)));
            }
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = reader.join().unwrap_or_default();
    Ok((status, stderr, peak_kib.map(|k| k as f64 / 1024.0)))
}

/// A database of its own on the benchmark's server.
struct Scratch {
    url: String,
    admin: DbConfig,
    name: String,
}

impl Scratch {
    async fn create(server_url: &str) -> Result<Self, BenchError> {
        let mut url =
            url::Url::parse(server_url).map_err(|e| fail("DATABASE_URL")(e.to_string()))?;
        let name = format!("passa_bench_{}", std::process::id());
        url.set_path(&name);
        let config = DbConfig::new(url.as_str());
        passa_db::create_database(&config)
            .await
            .map_err(|e| fail("creating the scratch database")(e.to_string()))?;
        let scratch = Self {
            url: url.to_string(),
            admin: DbConfig::new(server_url),
            name,
        };
        scratch.migrate().await?;
        Ok(scratch)
    }

    /// Applies the migrations this binary has and the database lacks.
    async fn migrate(&self) -> Result<(), BenchError> {
        let mut conn = self.connect().await?;
        passa_db::migrations::migrate(&mut conn, |_| {})
            .await
            .map_err(|e| fail("migrating")(e.to_string()))?;
        conn.close()
            .await
            .map_err(|e| fail("migrating")(e.to_string()))
    }

    /// A scratch database copied from `template`, brought up to this binary's migrations (a
    /// kept production may predate some: the run measures the schema of today's code).
    async fn from_template(server_url: &str, template: &str) -> Result<Self, BenchError> {
        let mut url =
            url::Url::parse(server_url).map_err(|e| fail("DATABASE_URL")(e.to_string()))?;
        let name = format!("passa_bench_{}", std::process::id());
        url.set_path(&name);
        let admin = DbConfig::new(server_url);
        let mut conn = passa_db::connect(&admin)
            .await
            .map_err(|e| fail("connecting to the server")(e.to_string()))?;
        let sql = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .map_err(|e| fail("copying the kept database")(e.to_string()))?;
        let scratch = Self {
            url: url.to_string(),
            admin,
            name,
        };
        scratch.migrate().await?;
        Ok(scratch)
    }

    async fn connect(&self) -> Result<PgConnection, BenchError> {
        passa_db::connect(&DbConfig::new(&self.url))
            .await
            .map_err(|e| fail("connecting to the scratch database")(e.to_string()))
    }

    async fn drop_database(&self) {
        if let Ok(mut conn) = passa_db::connect(&self.admin).await {
            let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
            let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await;
        }
    }
}
