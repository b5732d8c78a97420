//! Acceptance of `passa sync` (issue 6) under faults, on real components: `passa devnet` in
//! process on a free loopback port, PostgreSQL (a fresh migrated database per test from
//! `passa_testdb::TestDb`, plus a copy of it for an undisturbed reference run), the
//! `passa` binary as a child process, and a real HTTP proxy on 127.0.0.1 in front of the devnet
//! that injects faults.
//!
//! - a sync SIGKILLed at random points and restarted ends with the same mirror as one run that
//!   was never interrupted;
//! - a sync through an RPC that drops connections, stalls, answers 500/503 and cuts bodies
//!   short ends with the same mirror as one through a sound RPC, and follows empty pages across
//!   a long stretch of ledgers without events;
//! - of two `passa sync` on one database only one applies; the other waits and takes over when
//!   the first is killed.
//!
//! "The same mirror": every row of chain_events, parked_events, tickets, ticket_transfers,
//! attribution, events, organizers, transactions and audit_logs, compared as multisets (so a
//! doubled row is a difference), without clock times (`created_at`, `updated_at`,
//! `applied_at`, …) and with the ids the sync generates replaced by their stable keys (a
//! ticket by contract and token id, a transaction by hash, a contribution by event and
//! contributor).
//!
//! Random choices come from one seed, printed; `PASSA_TEST_SEED=N` replays it.
//!
//! Needs the contracts' wasm in target/wasm (`scripts/build-contracts.sh`).
#![cfg(feature = "devnet")]

mod support;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use passa::demo::{self, Cast, Contracts, SeasonReport, Timing};
use passa_db::migrations::MIGRATOR;
use passa_devnet::Devnet;
use passa_stellar::keys;
use passa_stellar::network::{Network, NetworkName};
use passa_stellar::rpc::Rpc;
use passa_sync::verify;
use passa_sync::{self as sync, SyncOptions};
use passa_testdb::TestDb;
use sqlx::{PgPool, Row};

/// More empty ledgers than one getEvents call scans (10 000 on the devnet and the Go server),
/// so that the sync meets pages with no events and a cursor that moved on.
const GAP_LEDGERS: u32 = 12_000;

// ------------------------------------------------------------------------------- randomness

/// splitmix64: a seeded generator in a few lines, so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn from_env_or_clock(test: &str) -> Self {
        let seed = std::env::var("PASSA_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .expect("a clock")
                    .as_nanos() as u64;
                nanos ^ (u64::from(std::process::id()) << 32)
            });
        eprintln!("{test}: seed {seed} (replay with PASSA_TEST_SEED={seed})");
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

// ------------------------------------------------------------------------------- the chain

/// A devnet with a deployment registered in the test's database.
struct Chain {
    devnet: Devnet,
    rpc: Rpc,
    contracts: Contracts,
    /// The admin's key, in a file, so that each cast gets its own `Signer` of it.
    admin_key: PathBuf,
    /// A copy of the `passa` binary this test started with: other builds in the same target
    /// directory may replace the original while the test runs.
    passa: PathBuf,
    dir: TempDir,
}

/// A directory removed when dropped (also when a test panics).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

impl Chain {
    async fn deploy(pool: &PgPool) -> Self {
        let support::Local { devnet, rpc } = support::devnet().await;
        let admin = support::funded(&rpc).await;
        let contracts = support::deployed(&rpc, pool, &admin).await;
        let dir = std::env::temp_dir().join(format!(
            "passa-sync-faults-{}-{}",
            std::process::id(),
            nanos()
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let dir = TempDir(dir);
        let admin_key = dir.0.join("admin.toml");
        let passa = dir.0.join("passa");
        std::fs::copy(env!("CARGO_BIN_EXE_passa"), &passa).expect("a copy of the binary");
        admin
            .write_key_file(&admin_key)
            .expect("the admin's key file");
        Self {
            devnet,
            rpc,
            contracts,
            admin_key,
            passa,
            dir,
        }
    }

    /// A new funded cast (organizer, artist, fans, …) under the deployment's admin, with the
    /// backend's rows for the season `seed` (users, wallets, draft events).
    async fn cast(&self, pool: &PgPool, seed: &str) -> Cast {
        let admin = keys::load(Some(self.admin_key.to_str().expect("a UTF-8 path")))
            .expect("the admin's key");
        let cast = Cast::new(&self.rpc, admin)
            .await
            .expect("the cast is funded");
        let mut conn = pool.acquire().await.expect("a connection");
        demo::register_off_chain(&mut conn, &cast, seed)
            .await
            .expect("the backend's rows");
        cast
    }

    async fn season(&self, cast: &Cast, seed: &str) -> SeasonReport {
        demo::season(
            &self.rpc,
            &self.contracts,
            cast,
            seed,
            Timing::default(),
            &|_| {},
        )
        .await
        .expect("the season runs")
    }

    /// Closes `ledgers` empty ledgers at once (`devnet_advanceLedgers`); the new latest.
    async fn advance(&self, ledgers: u32) -> u32 {
        let body = serde_json::json!({
            "jsonrpc": "2.0", "id": 1, "method": "devnet_advanceLedgers",
            "params": { "ledgers": ledgers },
        });
        let text = reqwest::Client::new()
            .post(self.devnet.rpc_url())
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("devnet_advanceLedgers")
            .text()
            .await
            .expect("its answer");
        let answer: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let sequence = answer["result"]["sequence"]
            .as_u64()
            .unwrap_or_else(|| panic!("devnet_advanceLedgers: {text}"));
        u32::try_from(sequence).expect("a ledger")
    }

    async fn latest(&self) -> u32 {
        self.rpc.latest_ledger().await.expect("the latest ledger")
    }

    async fn shutdown(self) {
        self.devnet.shutdown().await;
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock")
        .as_nanos()
}

// ------------------------------------------------------------------------------- databases

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(pool)
        .await
        .expect("a count")
}

async fn cursor(pool: &PgPool) -> Option<(String, i64)> {
    sqlx::query_as("SELECT cursor, last_ledger FROM sync_cursors WHERE network = 'local'")
        .fetch_optional(pool)
        .await
        .expect("the cursor")
}

// ------------------------------------------------------------------------------- the mirror

/// The tables the sync writes, each as rows of JSON without clock times.
const MIRROR: [(&str, &str); 9] = [
    (
        "chain_events",
        "SELECT to_jsonb(t) - 'created_at' - 'applied_at' FROM chain_events t",
    ),
    (
        // How often a parked event was retried depends on how many runs there were.
        "parked_events",
        "SELECT to_jsonb(t) - 'attempts' - 'first_attempt_at' - 'last_attempt_at' - 'resolved_at'
                || jsonb_build_object('resolved', resolved_at IS NOT NULL) FROM parked_events t",
    ),
    (
        "tickets",
        "SELECT to_jsonb(t) - 'created_at' - 'updated_at' FROM tickets t",
    ),
    (
        "ticket_transfers",
        "SELECT to_jsonb(t) - 'created_at' - 'transfer_id' FROM ticket_transfers t",
    ),
    (
        "attribution",
        "SELECT to_jsonb(t) - 'created_at' - 'updated_at' FROM attribution t",
    ),
    (
        "events",
        "SELECT to_jsonb(t) - 'created_at' - 'updated_at' FROM events t",
    ),
    (
        "organizers",
        "SELECT to_jsonb(t) - 'created_at' - 'updated_at' FROM organizers t",
    ),
    (
        "transactions",
        "SELECT to_jsonb(t) - 'created_at' - 'updated_at' FROM transactions t",
    ),
    (
        // Events past their end are completed when a run catches up, at the latest ledger
        // of that moment: which ledger that is depends on when the run ended, not on the
        // chain's events.
        "audit_logs",
        "SELECT to_jsonb(t) - 'created_at' - 'log_id'
                || CASE WHEN action = 'chain.event_completed'
                        THEN jsonb_build_object('ledger', 'at catch-up') ELSE '{}' END
           FROM audit_logs t",
    ),
];

/// Ids the sync generates, by their stable keys.
const GENERATED_IDS: &str = "
SELECT ticket_id::text, 'ticket ' || smart_contract_id || ' ' || token_id FROM tickets
UNION ALL
SELECT transaction_id::text, 'transaction ' || transaction_hash FROM transactions
UNION ALL
SELECT attribution_id::text,
       'attribution ' || event_id || ' ' || coalesce(contributor_address, user_id::text, '?')
  FROM attribution";

type Mirror = BTreeMap<&'static str, Vec<String>>;

async fn mirror(pool: &PgPool) -> Mirror {
    let ids: BTreeMap<String, String> = sqlx::query_as::<_, (String, String)>(GENERATED_IDS)
        .fetch_all(pool)
        .await
        .expect("generated ids")
        .into_iter()
        .collect();
    let mut out = Mirror::new();
    for (table, sql) in MIRROR {
        let rows: Vec<serde_json::Value> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_all(pool)
            .await
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        let mut rows: Vec<String> = rows
            .into_iter()
            .map(|mut row| {
                stable_ids(&mut row, &ids);
                row.to_string()
            })
            .collect();
        rows.sort();
        out.insert(table, rows);
    }
    out
}

fn stable_ids(value: &mut serde_json::Value, ids: &BTreeMap<String, String>) {
    match value {
        serde_json::Value::String(s) => {
            if let Some(key) = ids.get(s.as_str()) {
                *s = key.clone();
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| stable_ids(v, ids)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| stable_ids(v, ids)),
        _ => {}
    }
}

/// Fails with the rows only one side has (a doubled row shows as one extra copy).
fn assert_same_mirror(got: &Mirror, expected: &Mirror, what: &str) {
    let mut report = String::new();
    for (table, want) in expected {
        let have = &got[table];
        let (extra, missing) = multiset_difference(have, want);
        if !extra.is_empty() || !missing.is_empty() {
            report.push_str(&format!(
                "\n== {table}: {} row(s) vs {} expected\n-- only in {what}:\n{}\n-- missing from {what}:\n{}\n",
                have.len(),
                want.len(),
                extra.join("\n"),
                missing.join("\n")
            ));
        }
    }
    assert!(
        report.is_empty(),
        "{what} differs from the reference:{report}"
    );
}

fn multiset_difference<'a>(a: &'a [String], b: &'a [String]) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for row in a {
        *counts.entry(row.as_str()).or_default() += 1;
    }
    for row in b {
        *counts.entry(row.as_str()).or_default() -= 1;
    }
    let mut only_a = vec![];
    let mut only_b = vec![];
    for (row, n) in counts {
        for _ in 0..n.max(0) {
            only_a.push(row);
        }
        for _ in 0..(-n).max(0) {
            only_b.push(row);
        }
    }
    (only_a, only_b)
}

/// What the seasons did is in the mirror (independently of any reference run): every ticket
/// with its owner and status, nothing parked, and `passa verify` finds no drift.
async fn assert_seasons_mirrored(chain: &Chain, pool: &PgPool, seasons: &[SeasonReport]) {
    let expected: usize = seasons.iter().map(|s| s.tickets.len()).sum();
    let rows = sqlx::query("SELECT token_id, owner_address, ticket_status FROM tickets")
        .fetch_all(pool)
        .await
        .expect("tickets");
    assert_eq!(rows.len(), expected, "one row per ticket minted");
    for ticket in seasons.iter().flat_map(|s| &s.tickets) {
        let row = rows
            .iter()
            .find(|r| r.get::<i64, _>(0) == i64::from(ticket.token_id))
            .unwrap_or_else(|| panic!("ticket {} is mirrored", ticket.token_id));
        assert_eq!(row.get::<String, _>(2), ticket.status, "{ticket:?}");
        if let Some(owner) = &ticket.owner {
            assert_eq!(row.get::<Option<String>, _>(1).as_ref(), Some(owner));
        }
    }
    // Every transaction the sync recorded has its sender and fee (getTransaction; the devnet
    // keeps them for far longer than these tests last).
    let bare: Vec<(String, i64)> = sqlx::query_as(
        "SELECT transaction_hash, block_number FROM transactions
          WHERE metadata->>'source' = 'passa sync' AND (from_address IS NULL OR gas_fee IS NULL)
          ORDER BY block_number",
    )
    .fetch_all(pool)
    .await
    .expect("transactions");
    assert!(
        bare.is_empty(),
        "transactions without sender or fee: {bare:?}"
    );
    let parked = count(
        pool,
        "SELECT count(*) FROM parked_events WHERE resolved_at IS NULL",
    )
    .await;
    assert_eq!(parked, 0, "nothing parked");
    let mut conn = pool.acquire().await.expect("a connection");
    let report = verify::verify(&chain.rpc, &mut conn, NetworkName::Local)
        .await
        .expect("verify");
    assert!(report.drift.is_empty(), "{:#?}", report.drift);
}

// ------------------------------------------------------------------------------- the binary

fn passa_sync(chain: &Chain, db_url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(&chain.passa);
    command
        .arg("sync")
        .args(args)
        .args(["--rpc-url", &chain.devnet.rpc_url()])
        .env("DATABASE_URL", db_url)
        .env("RUST_LOG", "info,sqlx=warn")
        .env_remove("PASSA_FAILPOINT")
        .env_remove("STELLAR_NETWORK_PASSPHRASE")
        .env_remove("PASSA_NETWORK")
        .stdin(Stdio::null());
    command
}

/// A child process killed (and reaped) when dropped, so that a failing test leaves no
/// follower running.
struct Running(Option<std::process::Child>);

impl Running {
    /// SIGKILLs it; how it ended.
    async fn kill(mut self) -> ExitStatus {
        let mut child = self.0.take().expect("running");
        child.kill().ok();
        wait(child).await
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

/// Waits for a child without blocking the runtime, which also serves the devnet.
async fn wait(mut child: std::process::Child) -> ExitStatus {
    tokio::task::spawn_blocking(move || child.wait().expect("waited"))
        .await
        .expect("the waiting thread")
}

async fn output(mut command: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output().expect("runs"))
        .await
        .expect("the waiting thread")
}

/// `--page-size N` when the binary has such a flag (more pages, so more transactions for
/// kills to land between); nothing otherwise.
async fn page_size_flag(chain: &Chain) -> Vec<&'static str> {
    let mut help = Command::new(&chain.passa);
    help.args(["sync", "--help"]).stdin(Stdio::null());
    let out = output(help).await;
    if String::from_utf8_lossy(&out.stdout).contains("--page-size") {
        vec!["--page-size", "3"]
    } else {
        eprintln!("`passa sync` has no --page-size: pages are split by the ledger gaps only");
        vec![]
    }
}

// ------------------------------------------------------------------------------- 1. crashes

/// A busy ledger range (two seasons, separated by more empty ledgers than one getEvents call
/// scans, so that even the default page size makes several pages, i.e. transactions), then
/// `passa sync --once` started over and over while two more seasons happen, each run
/// SIGKILLed after a random delay between 0 and the duration of an uninterrupted run (at
/// first one over the whole busy range, then the latest run that finished), until 20 kills
/// have hit a live process; every sixth run instead aborts exactly before or after a page's
/// commit (`PASSA_FAILPOINT`). A last run goes to the end: the mirror is the one a single
/// uninterrupted run writes into a copy of the database taken before any sync.
///
/// Fails when a kill loses a page (a row missing), applies one twice (a row doubled: raw
/// events, derived rows and the cursor not in one transaction), when a restarted run fails,
/// or when fewer than 20 kills hit a live process.
#[tokio::test]
async fn a_sync_killed_at_random_points_ends_with_the_mirror_of_an_uninterrupted_run() {
    let mut db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let mut rng = Rng::from_env_or_clock("crash");
    let chain = Chain::deploy(&pool).await;
    let seeds = ["crash-1", "crash-2", "crash-3", "crash-4"];
    let mut casts = vec![];
    for seed in seeds {
        casts.push(chain.cast(&pool, seed).await);
    }
    let mut seasons = vec![chain.season(&casts[0], seeds[0]).await];
    chain.advance(GAP_LEDGERS).await;
    seasons.push(chain.season(&casts[1], seeds[1]).await);
    let mut reference = db.copy().await;
    let pool = db.pool();
    let mut once = vec!["--once"];
    once.extend(page_size_flag(&chain).await);

    // An uninterrupted run over the busy range, timed, in a throwaway copy.
    let timing = reference.copy().await;
    let started = Instant::now();
    let out = output(passa_sync(&chain, timing.url(), &once)).await;
    let mut whole = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "uninterrupted over the busy range: {whole:?}: {}",
        String::from_utf8_lossy(&out.stdout).trim()
    );
    timing.drop_now().await;

    let url = db.url().to_owned();
    let seasons_done = AtomicBool::new(false);
    let more = async {
        let mut done = vec![];
        for (i, (cast, seed)) in casts.iter().zip(seeds).enumerate().skip(2) {
            if i > 2 {
                chain.advance(GAP_LEDGERS).await;
            }
            done.push(chain.season(cast, seed).await);
        }
        seasons_done.store(true, Ordering::SeqCst);
        done
    };
    let crashes = async {
        let mut killed = 0;
        let mut killed_after_a_commit = 0;
        let mut finished = 0;
        let mut aborted = 0;
        let mut run = 0u32;
        while killed < 20 || !seasons_done.load(Ordering::SeqCst) {
            run += 1;
            assert!(run <= 500, "20 kills in 500 runs: {killed}");
            let before = cursor(&pool).await;
            let mut command = passa_sync(&chain, &url, &once);
            command.stdout(Stdio::null()).stderr(Stdio::null());
            if run.is_multiple_of(6) {
                let point = if run.is_multiple_of(12) {
                    "sync.before_commit"
                } else {
                    "sync.after_commit"
                };
                command.env("PASSA_FAILPOINT", point);
                let status = output(command).await.status;
                assert_eq!(status.signal(), Some(6), "aborted at {point}: {status}");
                aborted += 1;
            } else {
                let delay = Duration::from_micros(rng.below(whole.as_micros() as u64 + 1));
                let started = Instant::now();
                let child = Running(Some(command.spawn().expect("passa sync starts")));
                tokio::time::sleep(delay).await;
                let status = child.kill().await;
                if status.signal() == Some(9) {
                    killed += 1;
                    if cursor(&pool).await != before {
                        killed_after_a_commit += 1;
                    }
                } else {
                    assert!(
                        status.success(),
                        "a run that was not killed succeeds: {status}"
                    );
                    finished += 1;
                    // Kill within what a whole run takes now.
                    whole = started.elapsed();
                }
            }
            // Let the chain move on a little.
            tokio::time::sleep(Duration::from_millis(rng.below(1_500))).await;
        }
        eprintln!(
            "{run} runs: {killed} SIGKILLed ({killed_after_a_commit} after committing a page), \
             {aborted} aborted at a commit, {finished} finished before the kill"
        );
    };
    let (more, ()) = tokio::join!(more, crashes);
    seasons.extend(more);
    let out = output(passa_sync(&chain, &url, &once)).await;
    assert!(
        out.status.success(),
        "the last run finishes: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The reference: one uninterrupted run over everything.
    let out = output(passa_sync(&chain, reference.url(), &once)).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference_pool = reference.pool();
    let expected = mirror(&reference_pool).await;
    reference_pool.close().await;
    let total = expected["chain_events"].len();
    assert!(total >= 4 * 30, "four seasons' events: {total}");
    let got = mirror(&pool).await;
    assert_same_mirror(&got, &expected, "the mirror of the killed runs");
    assert_seasons_mirrored(&chain, &pool, &seasons).await;
    reference.drop_now().await;
    pool.close().await;
    chain.shutdown().await;
}

// ------------------------------------------------------------------------------- 2. RPC faults

mod proxy {
    //! An HTTP/1.1 proxy on 127.0.0.1 in front of one upstream, one connection per request,
    //! that fails requests by a seeded schedule.
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub enum Fault {
        /// The connection closed after the request, no answer.
        Drop,
        /// The answer, late.
        Delay,
        /// `500 Internal Server Error`.
        Status500,
        /// `503 Service Unavailable`.
        Status503,
        /// The upstream's headers and half its body, then the connection closed.
        CutConnection,
        /// `200` with half the upstream's body, its length announced as such: JSON cut short.
        CutJson,
    }

    pub const ALL: [Fault; 6] = [
        Fault::Drop,
        Fault::Delay,
        Fault::Status500,
        Fault::Status503,
        Fault::CutConnection,
        Fault::CutJson,
    ];

    #[derive(Debug, Default, Clone)]
    pub struct Stats {
        pub requests: u64,
        /// Requests by JSON-RPC method.
        pub methods: BTreeMap<String, u64>,
        pub injected: BTreeMap<Fault, u64>,
        /// Faults on getEvents requests.
        pub get_events_faults: u64,
        /// getEvents answers passed through: how many, and the cursors of those without events.
        pub event_pages: u64,
        pub empty_page_cursors: Vec<String>,
    }

    struct Schedule {
        rng: Rng,
        index: u64,
        in_a_row: u32,
    }

    impl Schedule {
        /// The first request passes (`Rpc::connect`); then each kind once, every other
        /// request; then 40 % faults of random kinds, never more than two in a row (the sync
        /// makes up to 8 attempts a request).
        fn next(&mut self) -> Option<Fault> {
            let i = self.index;
            self.index += 1;
            let fault = if i == 0 {
                None
            } else if i <= 2 * ALL.len() as u64 {
                (i % 2 == 1).then(|| ALL[(i / 2) as usize])
            } else if self.in_a_row >= 2 || self.rng.below(10) >= 4 {
                None
            } else {
                Some(ALL[self.rng.below(ALL.len() as u64) as usize])
            };
            self.in_a_row = if fault.is_some() {
                self.in_a_row + 1
            } else {
                0
            };
            fault
        }
    }

    pub struct Proxy {
        pub url: String,
        addr: SocketAddr,
        stats: Arc<Mutex<Stats>>,
        stop: Arc<AtomicBool>,
    }

    impl Proxy {
        pub fn start(upstream: SocketAddr, rng: Rng) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
            let addr = listener.local_addr().expect("its address");
            let stats = Arc::new(Mutex::new(Stats::default()));
            let stop = Arc::new(AtomicBool::new(false));
            let schedule = Arc::new(Mutex::new(Schedule {
                rng,
                index: 0,
                in_a_row: 0,
            }));
            let (s, st) = (stats.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if st.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (s, schedule) = (s.clone(), schedule.clone());
                    std::thread::spawn(move || serve(conn, upstream, &schedule, &s));
                }
            });
            Self {
                url: format!("http://{addr}/"),
                addr,
                stats,
                stop,
            }
        }

        pub fn stats(&self) -> Stats {
            self.stats.lock().expect("stats").clone()
        }

        pub fn stop(self) {
            self.stop.store(true, Ordering::SeqCst);
            // Wakes the accepting thread.
            let _ = TcpStream::connect(self.addr);
        }
    }

    /// One request and its answer (or fault), then the connection is closed.
    fn serve(
        mut client: TcpStream,
        upstream: SocketAddr,
        schedule: &Mutex<Schedule>,
        stats: &Mutex<Stats>,
    ) {
        client.set_read_timeout(Some(Duration::from_secs(60))).ok();
        let Some((head, body)) = read_message(&mut client, true) else {
            return;
        };
        let method = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["method"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let get_events = method == "getEvents";
        let fault = schedule.lock().expect("schedule").next();
        {
            let mut s = stats.lock().expect("stats");
            s.requests += 1;
            *s.methods.entry(method).or_default() += 1;
            if let Some(f) = fault {
                *s.injected.entry(f).or_default() += 1;
                if get_events {
                    s.get_events_faults += 1;
                }
            }
        }
        let respond = |client: &mut TcpStream, status: &str| {
            let text = "injected by the test's proxy";
            let _ = write!(
                client,
                "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                text.len()
            );
        };
        match fault {
            Some(Fault::Drop) => {}
            Some(Fault::Status500) => respond(&mut client, "500 Internal Server Error"),
            Some(Fault::Status503) => respond(&mut client, "503 Service Unavailable"),
            Some(Fault::Delay) | Some(Fault::CutConnection) | Some(Fault::CutJson) | None => {
                if fault == Some(Fault::Delay) {
                    std::thread::sleep(Duration::from_millis(
                        300 + u64::from(body.len() as u32 % 700),
                    ));
                }
                let Some((status, rhead, rbody)) = forward(upstream, &head, &body) else {
                    return;
                };
                match fault {
                    Some(Fault::CutConnection) => {
                        let _ = client.write_all(rhead.as_bytes());
                        let _ = client.write_all(&rbody[..rbody.len() / 2]);
                    }
                    Some(Fault::CutJson) => {
                        let half = &rbody[..rbody.len() / 2];
                        let _ = client.write_all(with_length(&rhead, half.len()).as_bytes());
                        let _ = client.write_all(half);
                    }
                    _ => {
                        let _ = client.write_all(rhead.as_bytes());
                        let _ = client.write_all(&rbody);
                        if get_events && status == 200 {
                            note_page(&rbody, stats);
                        }
                    }
                }
            }
        }
        let _ = client.flush();
        let _ = client.shutdown(Shutdown::Both);
    }

    fn note_page(body: &[u8], stats: &Mutex<Stats>) {
        let Ok(answer) = serde_json::from_slice::<serde_json::Value>(body) else {
            return;
        };
        let Some(events) = answer["result"]["events"].as_array() else {
            return;
        };
        let mut s = stats.lock().expect("stats");
        s.event_pages += 1;
        if events.is_empty() {
            if let Some(cursor) = answer["result"]["cursor"].as_str() {
                s.empty_page_cursors.push(cursor.to_owned());
            }
        }
    }

    /// Sends the request upstream on a new connection (closed after it); the answer's status,
    /// head (with `connection: close`) and body.
    fn forward(upstream: SocketAddr, head: &str, body: &[u8]) -> Option<(u16, String, Vec<u8>)> {
        let mut up = TcpStream::connect(upstream).ok()?;
        up.set_read_timeout(Some(Duration::from_secs(60))).ok();
        up.write_all(closing(head).as_bytes()).ok()?;
        up.write_all(body).ok()?;
        let (rhead, rbody) = read_message(&mut up, false)?;
        let status = rhead
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Some((status, closing(&rhead), rbody))
    }

    /// The head with `connection: close` instead of whatever it said.
    fn closing(head: &str) -> String {
        let mut out = String::new();
        for line in head.split("\r\n").filter(|l| !l.is_empty()) {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("connection:") || lower.starts_with("keep-alive:") {
                continue;
            }
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str("connection: close\r\n\r\n");
        out
    }

    fn with_length(head: &str, length: usize) -> String {
        let mut out = String::new();
        for line in head.split("\r\n").filter(|l| !l.is_empty()) {
            if line.to_ascii_lowercase().starts_with("content-length:") {
                out.push_str(&format!("content-length: {length}\r\n"));
            } else {
                out.push_str(line);
                out.push_str("\r\n");
            }
        }
        out.push_str("\r\n");
        out
    }

    /// Reads one HTTP/1.1 message: its head (up to the blank line) and its body (by
    /// `content-length`; for an answer without one, up to the end of the stream).
    fn read_message(stream: &mut TcpStream, request: bool) -> Option<(String, Vec<u8>)> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        let end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let n = stream.read(&mut chunk).ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let mut body = buf[end..].to_vec();
        let length = head.split("\r\n").find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        });
        match length {
            Some(length) => {
                while body.len() < length {
                    let n = stream.read(&mut chunk).ok()?;
                    if n == 0 {
                        return None;
                    }
                    body.extend_from_slice(&chunk[..n]);
                }
                body.truncate(length);
            }
            None if request => {}
            None => {
                stream.read_to_end(&mut body).ok()?;
            }
        }
        Some((head, body))
    }
}

/// Two seasons with more than two getEvents scan windows of empty ledgers between them; a
/// sync (the library's `sync::run`, once, small pages) through the fault proxy, and one
/// straight to the devnet into a clone of the database: the same mirror. The proxy counts
/// what it did: every kind of fault injected, some on getEvents, and at least two pages
/// passed through empty with the cursor moving on, after which the second season is
/// mirrored.
///
/// Fails when the sync gives up on a fault it should retry (the run errors), applies a page
/// it could not read whole, stops at an empty page (the second season missing), or when the
/// proxy did not actually inject each kind of fault.
#[tokio::test]
async fn a_sync_through_a_faulty_rpc_mirrors_what_a_sound_one_does_across_empty_pages() {
    let mut db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let mut rng = Rng::from_env_or_clock("rpc faults");
    let chain = Chain::deploy(&pool).await;
    let first = chain.cast(&pool, "faults-1").await;
    let second = chain.cast(&pool, "faults-2").await;
    let season_one = chain.season(&first, "faults-1").await;
    let before_gap = chain.latest().await;
    // Three scan windows of nothing: at least two pages come back empty.
    let after_gap = chain.advance(3 * 10_000 + 2_000).await;
    let season_two = chain.season(&second, "faults-2").await;
    let reference = db.copy().await;
    let pool = db.pool();

    let options = SyncOptions {
        once: true,
        page_size: 4,
        ..SyncOptions::default()
    };
    let proxy = proxy::Proxy::start(chain.devnet.addr(), Rng(rng.next()));
    let network = Network::resolve(NetworkName::Local, Some(&proxy.url), None).expect("a network");
    let through_proxy = Rpc::connect(&network)
        .await
        .expect("the first request passes");
    let mut conn = pool.acquire().await.expect("a connection");
    let started = Instant::now();
    let report = sync::run(&through_proxy, &mut conn, &options)
        .await
        .expect("the sync retries every fault and finishes");
    drop(conn);
    let stats = proxy.stats();
    proxy.stop();
    eprintln!(
        "through the proxy in {:?}: {report:?}\n{stats:?}",
        started.elapsed()
    );

    let reference_pool = reference.pool();
    let mut conn = reference_pool.acquire().await.expect("a connection");
    let sound = sync::run(&chain.rpc, &mut conn, &options)
        .await
        .expect("the reference run");
    drop(conn);
    let expected = mirror(&reference_pool).await;
    reference_pool.close().await;
    eprintln!("straight to the devnet: {sound:?}");

    for kind in proxy::ALL {
        assert!(
            stats.injected.get(&kind).copied().unwrap_or(0) > 0,
            "{kind:?} was injected: {stats:?}"
        );
    }
    assert!(
        stats.get_events_faults > 0,
        "getEvents failed too: {stats:?}"
    );
    // Each empty page moved the cursor on (a later ledger each time), past the gap.
    let ledgers: Vec<u32> = stats
        .empty_page_cursors
        .iter()
        .map(|c| sync::cursor_ledger(c).expect("a cursor"))
        .collect();
    let in_gap: Vec<u32> = ledgers
        .iter()
        .copied()
        .filter(|l| (before_gap..after_gap).contains(l))
        .collect();
    assert!(
        in_gap.len() >= 2 && in_gap.windows(2).all(|w| w[0] < w[1]),
        "empty pages inside the gap {before_gap}..{after_gap}, each further on: {ledgers:?}"
    );
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM chain_events WHERE ledger > $1")
        .bind(i64::from(after_gap))
        .fetch_one(&pool)
        .await
        .expect("a count");
    assert!(
        after >= 30,
        "the second season's events, after the gap: {after}"
    );

    let got = mirror(&pool).await;
    assert_same_mirror(&got, &expected, "the mirror through the faulty RPC");
    assert_seasons_mirrored(&chain, &pool, &[season_one, season_two]).await;
    reference.drop_now().await;
    pool.close().await;
    chain.shutdown().await;
}

// ------------------------------------------------------------------------------- 3. replicas

/// Who holds and who waits for the sync's advisory lock of `local` (PostgreSQL backend pids).
async fn lock_state(pool: &PgPool) -> (Vec<i32>, Vec<i32>) {
    let rows: Vec<(i32, bool)> = sqlx::query_as(
        "SELECT pid, granted FROM pg_locks
          WHERE locktype = 'advisory' AND objsubid = 1
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND classid = ((hashtextextended('passa sync local', 0) >> 32) & 4294967295)::oid
            AND objid = (hashtextextended('passa sync local', 0) & 4294967295)::oid",
    )
    .fetch_all(pool)
    .await
    .expect("pg_locks");
    let held = rows.iter().filter(|r| r.1).map(|r| r.0).collect();
    let waiting = rows.iter().filter(|r| !r.1).map(|r| r.0).collect();
    (held, waiting)
}

/// Polls `$ready` (an expression that may `.await`) every 100 ms until it holds.
macro_rules! until {
    ($what:expr, $limit:expr, $ready:expr) => {{
        let started = Instant::now();
        while !$ready {
            assert!(
                started.elapsed() < $limit,
                "waited {:?} for {}",
                $limit,
                $what
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }};
}

/// Two following `passa sync` processes on one database: the first takes the lock and
/// applies a season; the second waits (its connection queued on the lock, and it says so).
/// The first is SIGKILLed part way through a second season; the second takes the lock, says
/// so, and mirrors the rest. The mirror is the one a single `passa sync --once` writes into a
/// clone of the database.
///
/// Fails when both hold the lock (or the second does not wait for it), when the standby
/// gives up instead of waiting or does not take over, or when the takeover loses or doubles
/// rows.
#[tokio::test]
async fn a_standby_sync_waits_for_the_lock_and_takes_over_when_the_holder_is_killed() {
    let mut db = TestDb::migrated(&MIGRATOR).await;
    let pool = db.pool();
    let chain = Chain::deploy(&pool).await;
    let first = chain.cast(&pool, "replica-1").await;
    let second = chain.cast(&pool, "replica-2").await;
    let reference = db.copy().await;
    let pool = db.pool();
    let url = db.url().to_owned();
    let logs = chain.dir.0.clone();
    let follower = |name: &str| {
        let log = std::fs::File::create(logs.join(name)).expect("a log file");
        Running(Some(
            passa_sync(&chain, &url, &[])
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("passa sync starts"),
        ))
    };
    let read_log = |name: &str| std::fs::read_to_string(logs.join(name)).unwrap_or_default();

    let holder = follower("holder.log");
    until!(
        "the first sync to take the lock",
        Duration::from_secs(60),
        { lock_state(&pool).await.0.len() == 1 }
    );
    let (held_by, _) = lock_state(&pool).await;
    let standby = follower("standby.log");
    until!("the second sync to wait for it", Duration::from_secs(60), {
        lock_state(&pool).await.1.len() == 1
    });
    until!("the standby to say it waits", Duration::from_secs(30), {
        read_log("standby.log").contains("another passa sync is applying")
    });

    let season_one = chain.season(&first, "replica-1").await;
    let through = i64::from(chain.latest().await);
    until!(
        "the holder to mirror the first season",
        Duration::from_secs(120),
        {
            let (held, waiting) = lock_state(&pool).await;
            assert_eq!(held, held_by, "one holder, the first sync, all along");
            assert_eq!(waiting.len(), 1, "the standby keeps waiting");
            cursor(&pool).await.is_some_and(|(_, l)| l >= through)
        }
    );
    let mirrored_by_holder = count(&pool, "SELECT count(*) FROM chain_events").await;
    assert!(mirrored_by_holder >= 30, "{mirrored_by_holder}");
    let (holder_log, standby_log) = (read_log("holder.log"), read_log("standby.log"));
    assert!(holder_log.contains("page applied"), "{holder_log}");
    assert!(
        !standby_log.contains("took over") && !standby_log.contains("page applied"),
        "the standby applies nothing while the holder lives: {standby_log}"
    );

    // The second season starts; the holder dies once some of it is mirrored (or, at the
    // latest, while it is still going on).
    let killer = async {
        let started = Instant::now();
        while count(&pool, "SELECT count(*) FROM chain_events").await <= mirrored_by_holder
            && started.elapsed() < Duration::from_secs(30)
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let at = count(&pool, "SELECT count(*) FROM chain_events").await;
        let status = holder.kill().await;
        eprintln!(
            "holder (backend {held_by:?}) killed with {at} events mirrored, {mirrored_by_holder} \
             of them the first season's"
        );
        assert_eq!(status.signal(), Some(9), "{status}");
        until!("the standby to take the lock", Duration::from_secs(60), {
            let (held, waiting) = lock_state(&pool).await;
            held.len() == 1 && held != held_by && waiting.is_empty()
        });
    };
    let (season_two, ()) = tokio::join!(chain.season(&second, "replica-2"), killer);
    let through = i64::from(chain.latest().await);
    until!(
        "the standby to mirror the rest",
        Duration::from_secs(120),
        { cursor(&pool).await.is_some_and(|(_, l)| l >= through) }
    );
    let standby_log = read_log("standby.log");
    assert!(
        standby_log.contains("took over the sync lock") && standby_log.contains("page applied"),
        "{standby_log}"
    );
    eprintln!(
        "the standby (backend {:?}) mirrored up to {:?}",
        lock_state(&pool).await.0,
        cursor(&pool).await
    );
    standby.kill().await;

    let out = output(passa_sync(&chain, reference.url(), &["--once"])).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference_pool = reference.pool();
    let expected = mirror(&reference_pool).await;
    reference_pool.close().await;
    let got = mirror(&pool).await;
    assert_same_mirror(&got, &expected, "the mirror of the two replicas");
    assert_seasons_mirrored(&chain, &pool, &[season_one, season_two]).await;
    reference.drop_now().await;
    pool.close().await;
    chain.shutdown().await;
}
