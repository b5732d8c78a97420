//! `passa db backup …`: backups with pgBackRest, restores and the restore drill.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use clap::{Args, Subcommand, ValueEnum};

use passa_db::backup::{self, drill, BackupKind, Cluster, RestoreTarget, RunAs, Stanza};
use passa_db::config::DbConfig;

use crate::error::Result;

/// Which stanza, where its configuration is, who runs pgBackRest.
#[derive(Debug, Clone, Args)]
pub struct StanzaArgs {
    /// The pgBackRest stanza (one cluster's backups).
    #[arg(long, value_name = "NAME", default_value = "passa", global = true)]
    pub stanza: String,

    /// pgBackRest's configuration directory: the stanza's section goes in
    /// DIR/conf.d/STANZA.conf, the repository key in DIR/conf.d/STANZA-cipher.conf (mode 600,
    /// outside the repository).
    #[arg(
        long,
        value_name = "DIR",
        default_value = "/etc/pgbackrest",
        global = true
    )]
    pub config_dir: PathBuf,

    /// The OS user that owns the cluster's files and runs pgBackRest (default: postgres when
    /// run as root, otherwise yourself).
    #[arg(long, value_name = "USER", global = true)]
    pub os_user: Option<String>,
}

impl StanzaArgs {
    fn run_as(&self) -> RunAs {
        match &self.os_user {
            Some(user) => RunAs {
                user: Some(user.clone()),
            },
            None => RunAs::default_for_this_process(),
        }
    }

    fn stanza(&self) -> Stanza {
        Stanza {
            name: self.stanza.clone(),
            config_dir: self.config_dir.clone(),
            run_as: self.run_as(),
        }
    }
}

/// `passa db backup …`
#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub stanza: StanzaArgs,
    #[command(subcommand)]
    pub command: BackupCommand,
}

/// The backup commands.
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Set up backups of the server in --database-url (on this machine; connect as a
    /// superuser): the stanza's configuration, a new repository key, WAL archiving
    /// (archive_mode, archive_command, archive_timeout by ALTER SYSTEM), stanza-create and
    /// check. Turning archive_mode on needs a restart: then restart and run init again. Safe
    /// to repeat; an existing key is never replaced.
    Init(InitArgs),

    /// Take a backup (incremental by default: a full one when there is none) and expire what
    /// retention no longer keeps. Schedule a full one daily and incremental ones hourly.
    Run(RunArgs),

    /// Check that archiving works (a WAL segment pushed and found) and that every backup and
    /// WAL file in the repository matches its checksum.
    Verify,

    /// List the backups with their age; exit non-zero when the newest full backup is older
    /// than --max-full-age (use it as a monitoring check).
    List(ListArgs),

    /// Create a named restore point (before a migration or a bulk change) and archive it.
    Mark {
        /// The point's name.
        name: String,
    },

    /// Restore into a new or empty directory, to a point in time, a named point, a
    /// transaction or the end of a backup; the copy promotes itself at the target, with WAL
    /// archiving off. Never touches the running cluster. With --start it is started and
    /// waited for (the time printed is the RTO).
    Restore(RestoreArgs),

    /// The restore drill, on a scratch cluster of its own on a spare port: full backup,
    /// marker rows, a WAL switch, more markers; restores to a time, a named point, an xid and
    /// immediate, each checked by its markers, amcheck and a dump of the off-chain tables
    /// compared with the source at that point. Prints RPO and RTO.
    Drill(DrillArgs),
}

/// `passa db backup init …`
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The repository.
    #[arg(long, value_name = "DIR", default_value = "/var/lib/pgbackrest")]
    pub repo: PathBuf,
    /// A second repository (another disk, another region's mount) receiving every WAL
    /// segment and backup too.
    #[arg(long, value_name = "DIR")]
    pub repo2: Option<PathBuf>,
    /// Full backups kept (with the WAL they need).
    #[arg(long, value_name = "N", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=9_999))]
    pub retention_full: u32,
    /// Differential backups kept.
    #[arg(long, value_name = "N", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=9_999))]
    pub retention_diff: u32,
    /// archive_timeout in seconds: the most a commit waits before its WAL is archived (RPO).
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub archive_timeout: u64,
}

/// `passa db backup run …`
#[derive(Debug, Clone, Args)]
#[group(multiple = false)]
pub struct RunArgs {
    /// A full backup.
    #[arg(long)]
    pub full: bool,
    /// A differential backup (changes since the last full one).
    #[arg(long)]
    pub diff: bool,
    /// An incremental backup (changes since the last backup): the default.
    #[arg(long)]
    pub incr: bool,
}

/// How `list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Text,
    /// Prometheus text format (node_exporter's textfile collector).
    Prometheus,
}

/// `passa db backup list …`
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// The oldest the newest full backup may be, in hours (the policy: daily, with slack).
    #[arg(long, value_name = "HOURS", default_value_t = 26)]
    pub max_full_age: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
}

/// `passa db backup restore …`
#[derive(Debug, Clone, Args)]
#[group(id = "target", required = true, multiple = false, args = ["to", "to_name", "to_xid", "immediate"])]
pub struct RestoreArgs {
    /// A time, with its offset: "2026-12-07 10:15:00+00" (every transaction committed by then).
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// A named restore point (`passa db backup mark`).
    #[arg(long, value_name = "NAME")]
    pub to_name: Option<String>,
    /// A transaction id: up to and including its commit.
    #[arg(long, value_name = "XID")]
    pub to_xid: Option<String>,
    /// The end of the newest backup, nothing more.
    #[arg(long)]
    pub immediate: bool,
    /// Where the copy goes: a new or empty directory.
    #[arg(long, value_name = "DIR")]
    pub target_dir: PathBuf,
    /// Start the copy (on --port, socket in the target directory) and wait for its recovery.
    #[arg(long)]
    pub start: bool,
    /// The started copy's port.
    #[arg(long, value_name = "PORT", default_value_t = 5441, requires = "start")]
    pub port: u16,
    /// PostgreSQL's bin directory (for --start).
    #[arg(long, value_name = "DIR")]
    pub pg_bin: Option<PathBuf>,
}

impl RestoreArgs {
    fn target(&self) -> RestoreTarget {
        if let Some(time) = &self.to {
            RestoreTarget::Time(time.clone())
        } else if let Some(name) = &self.to_name {
            RestoreTarget::Name(name.clone())
        } else if let Some(xid) = &self.to_xid {
            RestoreTarget::Xid(xid.clone())
        } else {
            RestoreTarget::Immediate
        }
    }
}

/// `passa db backup drill …`
#[derive(Debug, Clone, Args)]
pub struct DrillArgs {
    /// The scratch cluster's port (the restored copies use the next one).
    #[arg(long, value_name = "PORT", default_value_t = 5440)]
    pub port: u16,
    /// Grow the database to at least this many MB first (1000 for the ≥ 1 GB drill).
    #[arg(long, value_name = "MB", default_value_t = 16)]
    pub size_mb: u64,
    /// The scratch cluster's archive_timeout in seconds (what the RPO figure measures).
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub archive_timeout: u64,
    /// Where the drill works (a new or empty directory); a temporary one by default.
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Keep the work directory afterwards (it is kept anyway when the drill fails).
    #[arg(long)]
    pub keep: bool,
    /// PostgreSQL's bin directory.
    #[arg(long, value_name = "DIR")]
    pub pg_bin: Option<PathBuf>,
}

/// Runs `passa db backup …`.
pub async fn run(config: &DbConfig, args: BackupArgs) -> Result<()> {
    let stanza = args.stanza.stanza();
    match args.command {
        BackupCommand::Init(init) => run_init(config, &stanza, &init).await,
        BackupCommand::Run(kind) => {
            let kind = match (kind.full, kind.diff) {
                (true, _) => BackupKind::Full,
                (_, true) => BackupKind::Diff,
                _ => BackupKind::Incr,
            };
            let set = backup::run(&stanza, kind).await?;
            out!(
                "backup {} ({}) done: {:.1} MB, {:.1} MB in the repository",
                set.label,
                set.kind,
                set.size as f64 / 1e6,
                set.repo_size as f64 / 1e6
            );
            Ok(())
        }
        BackupCommand::Verify => {
            backup::verify(&stanza).await?;
            out!(
                "stanza \"{}\": archiving works, every file of the repository is intact",
                stanza.name
            );
            Ok(())
        }
        BackupCommand::List(list) => run_list(&stanza, &list).await,
        BackupCommand::Mark { name } => {
            let mut conn = passa_db::connect(config).await?;
            let lsn = backup::mark(&mut conn, &name).await;
            passa_db::close(conn).await;
            out!(
                "restore point \"{name}\" at {} (restore with --to-name {name})",
                lsn?
            );
            Ok(())
        }
        BackupCommand::Restore(restore) => run_restore(&stanza, &restore).await,
        BackupCommand::Drill(drill) => run_drill(&args.stanza, &drill).await,
    }
}

async fn run_init(config: &DbConfig, stanza: &Stanza, init: &InitArgs) -> Result<()> {
    let mut conn = passa_db::connect(config).await?;
    let outcome = backup::init(
        &mut conn,
        stanza,
        &backup::InitOptions {
            repo: init.repo.clone(),
            repo2: init.repo2.clone(),
            retention_full: init.retention_full,
            retention_diff: init.retention_diff,
            archive_timeout: Duration::from_secs(init.archive_timeout),
        },
    )
    .await;
    passa_db::close(conn).await;
    match outcome? {
        backup::InitOutcome::Ready { data_directory } => {
            out!(
                "stanza \"{}\" ready: {} archives its WAL into {} (key {}); take the first backup with `passa db backup run --full`",
                stanza.name,
                data_directory.display(),
                init.repo.display(),
                stanza.key_file().display()
            );
        }
        backup::InitOutcome::RestartNeeded => {
            out!(
                "WAL archiving is configured but takes a restart of PostgreSQL (Debian: pg_ctlcluster <version> <cluster> restart); then run `passa db backup init` again"
            );
        }
    }
    Ok(())
}

async fn run_list(stanza: &Stanza, list: &ListArgs) -> Result<()> {
    let listing = backup::list(stanza, SystemTime::now()).await?;
    let now = SystemTime::now();
    match list.format {
        ListFormat::Text => {
            out!(
                "{:<24} {:<5} {:>10} {:>10} {:>9}",
                "LABEL",
                "TYPE",
                "SIZE MB",
                "REPO MB",
                "AGE"
            );
            for b in &listing.backups {
                out!(
                    "{:<24} {:<5} {:>10.1} {:>10.1} {:>8.1}h",
                    b.label,
                    b.kind,
                    b.size as f64 / 1e6,
                    b.repo_size as f64 / 1e6,
                    b.age(now).as_secs_f64() / 3600.0
                );
            }
        }
        ListFormat::Prometheus => {
            let age = listing.newest_full_age.map_or(-1.0, |a| a.as_secs_f64());
            out!("# HELP passa_backup_newest_full_age_seconds Age of the newest full backup (-1: none).");
            out!("# TYPE passa_backup_newest_full_age_seconds gauge");
            out!(
                "passa_backup_newest_full_age_seconds{{stanza=\"{}\"}} {age:.0}",
                stanza.name
            );
            out!("# HELP passa_backup_count Backups in the repository.");
            out!("# TYPE passa_backup_count gauge");
            out!(
                "passa_backup_count{{stanza=\"{}\"}} {}",
                stanza.name,
                listing.backups.len()
            );
        }
    }
    Ok(listing.check_policy(&stanza.name, Duration::from_secs(list.max_full_age * 3600))?)
}

async fn run_restore(stanza: &Stanza, args: &RestoreArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let report = backup::restore(stanza, &args.target(), &args.target_dir).await?;
    out!(
        "restored into {} in {:.1} s",
        report.data.display(),
        report.took.as_secs_f64()
    );
    if !args.start {
        out!(
            "start it with: pg_ctl -D {} -o '-p <port>' start  (it replays WAL to the target, then promotes)",
            report.data.display()
        );
        return Ok(());
    }
    let copy = Cluster {
        data: report.data.clone(),
        port: args.port,
        socket_dir: report.data.clone(),
        bin: backup::pg_bin(args.pg_bin.as_deref())?,
        run_as: stanza.run_as.clone(),
    };
    copy.start().await?;
    copy.wait_promoted(Duration::from_secs(4 * 3600)).await?;
    out!(
        "{} is promoted and accepting connections (socket in {}): RTO {:.1} s",
        copy.describe(),
        copy.socket_dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn run_drill(stanza: &StanzaArgs, args: &DrillArgs) -> Result<()> {
    let work_dir = match &args.work_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!(
            "passa-drill-{}-{}",
            std::process::id(),
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        )),
    };
    out!("drill in {} (port {})", work_dir.display(), args.port);
    let report = drill::drill(&drill::DrillOptions {
        work_dir,
        port: args.port,
        size_mb: args.size_mb,
        archive_timeout: Duration::from_secs(args.archive_timeout),
        bin: backup::pg_bin(args.pg_bin.as_deref())?,
        run_as: stanza.run_as(),
        keep: args.keep,
    })
    .await?;
    out!("{report}");
    Ok(())
}
