//! The command line: what `passa` accepts (clap definitions, which double as `--help`) and
//! how each command's result is printed.
//!
//! Results go to stdout; logs and errors go to stderr (the binary prints errors).

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::error::Result;
use passa_db::config::{DbConfig, DEFAULT_CONNECT_TIMEOUT_SECS, DEFAULT_DATABASE_URL};
use passa_db::migrations::{self, format_version, RevertTarget, Step};
use passa_db::{self as db, CreateOutcome};

/// Prints one line of results on stdout. Write errors are ignored on purpose: when stdout is
/// closed early (`passa db migrate | head -n 3`) the command must still finish its work, and
/// `println!` would panic half-way instead.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

// After `out!`, so that the commands in them can print with it.
mod backup;
mod chain;
mod health;
pub use chain::{
    ContractsCommand, DemoArgs, DeployArgs, KeysCommand, NetworkArgs, SourceArgs, SyncArgs,
    SyncCommand, VerifyArgs,
};

/// The Passa chain layer's command-line tool.
#[derive(Debug, Parser)]
#[command(
    name = "passa",
    version,
    about = "Passa chain layer: deploy the Passa contracts and manage the database that mirrors them",
    long_about = "Passa chain layer: deploy the Passa contracts on Stellar and manage the \
                  PostgreSQL database that mirrors them.\n\n\
                  Quick start on a new machine: `scripts/setup.sh` (installs and starts \
                  PostgreSQL, creates the `passa` role and database, builds, migrates). By hand:\n\
                  \n    passa db create && passa db migrate && passa db seed\n\n\
                  Logs go to stderr; set RUST_LOG (e.g. RUST_LOG=debug) to see more."
)]
pub struct Cli {
    /// Where the database is.
    #[command(flatten)]
    pub db: DbArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// PostgreSQL connection flags, accepted before or after the subcommand.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// PostgreSQL connection URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    /// The password is never printed (errors show it as ****).
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "URL",
        default_value = DEFAULT_DATABASE_URL,
        hide_env_values = true,
        global = true
    )]
    pub database_url: String,

    /// Seconds to wait for PostgreSQL to accept a connection before giving up.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = DEFAULT_CONNECT_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..=3600),
        global = true
    )]
    pub connect_timeout: u64,

    /// A streaming replica for the commands that only read (verify, sync parked, contracts
    /// list and show, db status and health): they run against it and spare the primary. It
    /// must be a replica (pg_is_in_recovery()); without it they read the primary.
    #[arg(
        long,
        env = "PASSA_READ_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true,
        global = true
    )]
    pub read_database_url: Option<String>,
}

impl DbArgs {
    /// The connection settings these flags describe.
    pub fn config(&self) -> DbConfig {
        DbConfig {
            database_url: self.database_url.clone(),
            connect_timeout: Duration::from_secs(self.connect_timeout),
        }
    }

    /// Where the read-only commands read: the replica of --read-database-url, checked to be
    /// one, or else the primary.
    ///
    /// # Errors
    /// A replica URL that cannot be reached or reaches no replica.
    pub async fn read_config(&self) -> Result<DbConfig> {
        let Some(url) = &self.read_database_url else {
            return Ok(self.config());
        };
        let read = DbConfig {
            database_url: url.clone(),
            connect_timeout: Duration::from_secs(self.connect_timeout),
        };
        let mut conn = db::connect(&read).await?;
        let checked = passa_db::topology::require_replica(&mut conn, &read).await;
        db::close(conn).await;
        checked?;
        Ok(read)
    }
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, migrate, inspect, revert and seed the PostgreSQL database.
    #[command(subcommand)]
    Db(DbCommand),

    /// Deploy the three contracts to a network and register them in the database.
    ///
    /// Uploads each wasm unless the ledger has it, creates ticketing, attribution and revenue
    /// at addresses derived from the source account and --deployment (so each constructor
    /// receives the others' addresses: that is the wiring), records every transaction before
    /// sending it, registers each contract in smart_contracts (deploying → active) and reads
    /// the wiring back through the contracts' getters.
    ///
    /// Safe to repeat: a second run finds everything in place and says so; a run interrupted
    /// anywhere completes what is missing. Example, against `passa devnet`:
    ///
    ///   passa keys generate --out deployer.key --fund
    ///   passa deploy --source deployer.key
    #[command(verbatim_doc_comment)]
    Deploy(DeployArgs),

    /// The registered contracts: list, show, pause, unpause, upgrade.
    #[command(subcommand)]
    Contracts(ContractsCommand),

    /// Signing keys: generate, show the address, fund through friendbot.
    #[command(subcommand)]
    Keys(KeysCommand),

    /// Mirror the registered contracts' events into the database (getEvents → PostgreSQL).
    ///
    /// Follows every active or paused contract of the network from its stored cursor: each
    /// page of events is stored raw (unique by event id), applied to the platform's tables
    /// (organizers, events, tickets, transfers, attribution, transactions, audit_logs) and the
    /// cursor moved forward, in one database transaction, so a crash at any point loses and
    /// doubles nothing. Events that cannot be applied yet are parked with their reason and
    /// retried; `passa sync parked` lists them. One process per database applies at a time
    /// (an advisory lock): start a second as a standby. Ctrl-C stops after the current page.
    Sync(SyncArgs),

    /// Compare the mirror with the contracts' state read back through the RPC.
    ///
    /// Checks every mirrored ticket's owner and status, every event's status and escrow
    /// totals (and its ticket count against the tiers' sold counts), every contribution's
    /// status, share and amount paid. Prints each difference; exits non-zero on any.
    Verify(VerifyArgs),

    /// Run a scripted season of activity on the registered deployment (local or testnet).
    ///
    /// New wallets, funded by friendbot, play organizer, artist, promoter, sponsor, creator,
    /// gate operator and four fans: the admin (--source) verifies the organizer, who creates
    /// two events paid in XLM; contributions are proposed, submitted, accepted, approved and
    /// rejected; fans buy (some referred), transfer, list, delist and resell tickets; the
    /// second event is cancelled and refunded; tickets are checked in once the main event
    /// starts; after it ends it is settled and every payee claims. Takes about 30 ledgers'
    /// worth of waiting for the event to start and end.
    Demo(DemoArgs),

    /// Benchmarks, re-runnable, printing their figures.
    #[cfg(feature = "devnet")]
    #[command(subcommand)]
    Bench(BenchCommand),

    /// Run a local Stellar network: the Stellar RPC API and a friendbot on one port.
    ///
    /// An in-process ledger runs the real contracts (soroban-env-host) and closes a ledger
    /// every --ledger-close-ms. JSON-RPC is served on http://LISTEN/ (stellar-cli, the JS
    /// SDK and stellar-rpc-client work against it) and the friendbot on
    /// http://LISTEN/friendbot?addr=G…. With --state-dir the ledger, transactions and
    /// events survive a restart; without it they live in memory until Ctrl-C.
    #[cfg(feature = "devnet")]
    Devnet(DevnetArgs),
}

/// `passa bench …`
#[cfg(feature = "devnet")]
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// The local network: contract invocations applied per second end to end (sendTransaction
    /// through the RPC port → included in a closed ledger), then memory (RSS) after N ledger
    /// entries with a save and load of that state. Target on a 2-core machine: ≥ 200
    /// invocations per second.
    Devnet(BenchDevnetArgs),

    /// The sync: a devnet in this process produces --events contract events (32 buyers
    /// purchasing 10 tickets at a time from one deployment), `passa sync --once` backfills
    /// them into a scratch database on the server of DATABASE_URL (created and dropped), and
    /// the same raw rows are loaded again with COPY. Prints events/s, COPY rows/s, their ratio
    /// and the sync's peak RSS; then the tickets it wrote loaded again with COPY, and the best
    /// ratio a sync writing both tables on one connection could reach on this server.
    /// Targets: ≥ 20 000 events/s, ≥ 0.5 × COPY, ≤ 150 MB.
    Sync(BenchSyncArgs),
}

/// `passa bench sync …`
#[cfg(feature = "devnet")]
#[derive(Debug, Clone, Args)]
pub struct BenchSyncArgs {
    /// Contract events to produce and backfill.
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(11..))]
    pub events: u64,

    /// Where the contracts' wasm is.
    #[arg(long, value_name = "DIR", default_value = "target/wasm")]
    pub wasm_dir: std::path::PathBuf,

    /// Keep the produced ledgers (devnet state) and database in DIR, and on a later run with
    /// the same DIR and --events skip producing them: only the backfill is measured again.
    #[arg(long, value_name = "DIR")]
    pub reuse: Option<std::path::PathBuf>,
}

/// `passa bench devnet …`
#[cfg(feature = "devnet")]
#[derive(Debug, Clone, Args)]
pub struct BenchDevnetArgs {
    /// Concurrent clients, each with its own account.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=1_000))]
    pub clients: u64,

    /// Invocations per client.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub rounds: u64,

    /// Milliseconds between ledger closes during the run.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub ledger_close_ms: u64,

    /// Ledger entries for the memory measurement (0 skips it).
    #[arg(long, default_value_t = 100_000)]
    pub entries: usize,
}

/// `passa devnet …`
#[cfg(feature = "devnet")]
#[derive(Debug, Clone, Args)]
pub struct DevnetArgs {
    /// Address to serve on; loopback only (the devnet has no authentication).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8000")]
    pub listen: std::net::SocketAddr,

    /// Keep the network's state in DIR (created if missing) and resume from it on the next
    /// start; without it the network lives in memory only. Saved at most every 5 s while
    /// ledgers change, and at Ctrl-C.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<std::path::PathBuf>,

    /// Milliseconds between ledger closes.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1_000,
        value_parser = clap::value_parser!(u64).range(10..=3_600_000)
    )]
    pub ledger_close_ms: u64,

    /// The network passphrase (the network id is its SHA-256).
    #[arg(
        long,
        value_name = "P",
        env = "STELLAR_NETWORK_PASSPHRASE",
        default_value = passa_devnet::genesis::DEFAULT_PASSPHRASE
    )]
    pub network_passphrase: String,
}

/// `passa db …`
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create the database named in the URL, if it does not exist yet.
    ///
    /// Connects to the server's `postgres` database to do it, so the user needs the CREATEDB
    /// right. Does nothing when the database exists.
    Create,

    /// Apply every pending migration, oldest first, and print each one applied.
    ///
    /// The migrations (migrations/*.up.sql) are compiled into this binary. Each runs in its
    /// own transaction: on failure the failing one is rolled back and the earlier ones stay.
    /// Refuses to run if an applied migration was edited since (checksum mismatch).
    Migrate,

    /// Show every migration, applied or pending, and when it was applied.
    ///
    /// Columns: version, description, state (applied / pending), applied at (UTC), and a note
    /// flagging applied migrations whose .up.sql changed since (CHECKSUM MISMATCH) or that this
    /// binary does not know (MISSING). Read-only; exits 0 whatever the state.
    Status,

    /// Revert applied migrations (run their .down.sql), newest first.
    ///
    /// Without flags, reverts only the most recently applied migration; --all reverts every
    /// one, --to VERSION stops above VERSION. Prints each migration reverted. Reverting drops
    /// tables and the data in them.
    Revert(RevertArgs),

    /// Backups with pgBackRest: init, run, verify, list, mark, restore, drill.
    ///
    /// Continuous WAL archiving (archive_timeout bounds the RPO: 60 s), full, differential
    /// and incremental backups in an encrypted repository (key outside it), retention, named
    /// restore points and point-in-time restores into a new directory. `drill` proves it on
    /// a scratch cluster. Schedule, e.g. in cron: `passa db backup run --full` daily,
    /// `passa db backup run` hourly, `passa db backup verify` daily, `passa db backup list`
    /// as a monitoring check (non-zero when the newest full backup is too old).
    Backup(backup::BackupArgs),

    /// What a DBA looks at first: top and slow queries (pg_stat_statements), unused and
    /// duplicate indexes, bloat, cache hit ratio, connections by role, vacuum/analyze lag,
    /// partition coverage, replication lag and the backup's age. Read-only.
    Health(health::HealthArgs),

    /// Load the reference seed data in one transaction.
    ///
    /// The script is offchain/db/src/seed.sql, compiled into this binary. Needs every
    /// migration applied. Safe to run twice: it only adds what is missing.
    Seed,
}

/// How far `passa db revert` goes.
#[derive(Debug, Clone, Args)]
pub struct RevertArgs {
    /// Revert every applied migration, leaving an empty schema.
    #[arg(long, conflicts_with = "to")]
    pub all: bool,

    /// Revert every migration newer than VERSION; VERSION itself stays applied
    /// (e.g. `--to 0019` or `--to 19`; `--to 0` is `--all`).
    #[arg(long, value_name = "VERSION")]
    pub to: Option<i64>,
}

impl RevertArgs {
    /// The target these flags describe.
    pub fn target(&self) -> RevertTarget {
        match (self.all, self.to) {
            (true, _) => RevertTarget::All,
            (false, Some(version)) => RevertTarget::To(version),
            (false, None) => RevertTarget::Latest,
        }
    }
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> Result<()> {
    let config = cli.db.config();
    match cli.command {
        Command::Db(command) => {
            let config = match command {
                DbCommand::Status | DbCommand::Health(_) => cli.db.read_config().await?,
                _ => config,
            };
            run_db(&config, command).await
        }
        Command::Deploy(args) => chain::run_deploy(&config, args).await,
        Command::Contracts(command) => {
            let config = match command {
                ContractsCommand::List { .. } | ContractsCommand::Show { .. } => {
                    cli.db.read_config().await?
                }
                _ => config,
            };
            chain::run_contracts(&config, command).await
        }
        Command::Keys(command) => chain::run_keys(command).await,
        Command::Demo(args) => chain::run_demo(&config, args).await,
        Command::Sync(args) => {
            let config = match args.command {
                Some(SyncCommand::Parked { .. }) => cli.db.read_config().await?,
                _ => config,
            };
            chain::run_sync(&config, args).await
        }
        Command::Verify(args) => chain::run_verify(&cli.db.read_config().await?, args).await,
        #[cfg(feature = "devnet")]
        Command::Devnet(args) => run_devnet(args).await,
        #[cfg(feature = "devnet")]
        Command::Bench(BenchCommand::Devnet(args)) => run_bench_devnet(args).await,
        #[cfg(feature = "devnet")]
        Command::Bench(BenchCommand::Sync(args)) => {
            let report = crate::bench::sync_backfill(&crate::bench::SyncBenchOptions {
                events: args.events,
                database_url: config.database_url.clone(),
                wasm_dir: args.wasm_dir,
                reuse: args.reuse,
            })
            .await
            .map_err(|e| crate::error::Error::Bench(e.to_string()))?;
            out!("{report}");
            Ok(())
        }
    }
}

/// `passa bench devnet`: both of the devnet's benchmarks, one table each.
#[cfg(feature = "devnet")]
async fn run_bench_devnet(args: BenchDevnetArgs) -> Result<()> {
    use passa_devnet::bench;

    let report = bench::invocations_per_second(bench::BenchOptions {
        clients: usize::try_from(args.clients).unwrap_or(usize::MAX),
        rounds: usize::try_from(args.rounds).unwrap_or(usize::MAX),
        ledger_close: Duration::from_millis(args.ledger_close_ms),
    })
    .await?;
    out!("{report}");
    if args.entries > 0 {
        let entries = args.entries;
        let memory = tokio::task::spawn_blocking(move || bench::memory_after_entries(entries))
            .await
            .map_err(|e| crate::error::Error::Bench(e.to_string()))??;
        out!("{memory}");
    }
    Ok(())
}

/// Runs the devnet until Ctrl-C, then stops it cleanly (requests in flight finish).
#[cfg(feature = "devnet")]
async fn run_devnet(args: DevnetArgs) -> Result<()> {
    use passa_devnet::{node::GenesisOptions, Devnet, DevnetOptions};

    let devnet = Devnet::start(DevnetOptions {
        listen: args.listen,
        genesis: GenesisOptions {
            passphrase: args.network_passphrase.clone(),
            ..Default::default()
        },
        ledger_close: Duration::from_millis(args.ledger_close_ms),
        state_dir: args.state_dir.clone(),
    })
    .await?;
    out!("rpc:        {}", devnet.rpc_url());
    out!("friendbot:  {}", devnet.friendbot_url());
    out!("passphrase: {}", args.network_passphrase);
    if let Some(dir) = &args.state_dir {
        out!("state:      {}", dir.display());
    }
    out!("Ctrl-C to stop");
    let waited = tokio::signal::ctrl_c().await;
    devnet.shutdown().await;
    waited.map_err(crate::error::Error::Signal)?;
    out!("devnet stopped");
    Ok(())
}

async fn run_db(config: &DbConfig, command: DbCommand) -> Result<()> {
    if let DbCommand::Backup(args) = command {
        return backup::run(config, args).await;
    }
    if let DbCommand::Health(args) = &command {
        return health::run(config, args).await;
    }
    if let DbCommand::Create = command {
        match db::create_database(config).await? {
            CreateOutcome::Created(name) => out!("created database \"{name}\""),
            CreateOutcome::AlreadyExists(name) => {
                out!("database \"{name}\" already exists")
            }
        }
        return Ok(());
    }

    let mut conn = db::connect(config).await?;
    let result = match command {
        DbCommand::Create | DbCommand::Backup(_) | DbCommand::Health(_) => Ok(()), // handled above
        DbCommand::Migrate => {
            let known = migrations::known().count();
            migrations::migrate(&mut conn, |step| print_step("applied", step))
                .await
                .map(|steps| {
                    if steps.is_empty() {
                        out!("database is up to date ({known} migrations applied)");
                    } else {
                        out!("{} migration(s) applied", steps.len());
                    }
                })
        }
        DbCommand::Status => migrations::status(&mut conn)
            .await
            .map(|report| out!("{}", render_status(&report).trim_end())),
        DbCommand::Revert(args) => migrations::revert(&mut conn, args.target(), |step| {
            print_step("reverted", step)
        })
        .await
        .map(|steps| {
            if steps.is_empty() {
                out!("nothing to revert");
            } else {
                out!("{} migration(s) reverted", steps.len());
            }
        }),
        DbCommand::Seed => db::seed::seed(&mut conn)
            .await
            .map(|()| out!("seed data loaded")),
    };
    db::close(conn).await;
    Ok(result?)
}

fn print_step(verb: &str, step: &Step) {
    out!(
        "{verb} {} {} ({} ms)",
        format_version(step.version),
        step.description,
        step.elapsed.as_millis()
    );
}

/// The `passa db status` table: one line per migration, then a summary line.
pub fn render_status(report: &migrations::StatusReport) -> String {
    use std::fmt::Write as _;

    let description_width = report
        .migrations
        .iter()
        .map(|m| m.description.chars().count())
        .max()
        .unwrap_or(0)
        .max("DESCRIPTION".len());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<8} {:<dw$} {:<8} {:<23} NOTE",
        "VERSION",
        "DESCRIPTION",
        "STATE",
        "APPLIED AT",
        dw = description_width
    );
    for m in &report.migrations {
        let applied_at = m
            .applied_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| "-".to_owned());
        let line = format!(
            "{:<8} {:<dw$} {:<8} {:<23} {}",
            format_version(m.version),
            m.description,
            m.state.as_str(),
            applied_at,
            m.problems().join("; "),
            dw = description_width
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = write!(
        out,
        "{} migrations: {} applied, {} pending",
        report.migrations.len(),
        report.applied(),
        report.pending()
    );
    let problems = report.with_problems();
    if problems > 0 {
        let _ = write!(out, ", {problems} with problems (see NOTE)");
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn revert_defaults_to_the_latest_migration_only() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from(args).map(|cli| match cli.command {
                Command::Db(DbCommand::Revert(r)) => Some(r.target()),
                _ => None,
            })
        };
        assert_eq!(
            parse(&["passa", "db", "revert"]).ok().flatten(),
            Some(RevertTarget::Latest)
        );
        assert_eq!(
            parse(&["passa", "db", "revert", "--all"]).ok().flatten(),
            Some(RevertTarget::All)
        );
        assert_eq!(
            parse(&["passa", "db", "revert", "--to", "0019"])
                .ok()
                .flatten(),
            Some(RevertTarget::To(19))
        );
        assert!(parse(&["passa", "db", "revert", "--all", "--to", "3"]).is_err());
    }

    #[test]
    fn database_flags_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "passa",
            "db",
            "status",
            "--database-url",
            "postgres://x@h/d",
            "--connect-timeout",
            "2",
        ]);
        let db = cli.map(|c| (c.db.database_url, c.db.connect_timeout)).ok();
        assert_eq!(db, Some(("postgres://x@h/d".to_owned(), 2)));
        assert!(Cli::try_parse_from(["passa", "db", "status", "--connect-timeout", "0"]).is_err());
    }

    #[cfg(feature = "devnet")]
    #[test]
    fn devnet_flags() {
        let parse = |args: &[&str]| {
            Cli::try_parse_from(args).map(|cli| match cli.command {
                Command::Devnet(d) => Some((d.listen.to_string(), d.ledger_close_ms)),
                _ => None,
            })
        };
        assert_eq!(
            parse(&["passa", "devnet"]).ok().flatten(),
            Some(("127.0.0.1:8000".to_owned(), 1_000))
        );
        assert_eq!(
            parse(&[
                "passa",
                "devnet",
                "--listen",
                "127.0.0.1:0",
                "--ledger-close-ms",
                "50"
            ])
            .ok()
            .flatten(),
            Some(("127.0.0.1:0".to_owned(), 50))
        );
        assert!(parse(&["passa", "devnet", "--ledger-close-ms", "0"]).is_err());
    }
}
