//! The restore drill (`passa db backup drill`): proves, on a cluster of its own, that the
//! backups restore to exactly the point asked for.
//!
//! On a scratch cluster on a spare port, with WAL archiving into an encrypted repository of
//! its own: the platform's schema and seed, grown to the size asked for; a full backup; then
//! phases, each a marker row and a change to the off-chain tables (a new user and profile, an
//! updated user): m1, then a time is noted; m2, then a named restore point; m3, whose
//! transaction id is noted; a WAL switch; m4, which no restore may bring back. Each target —
//! `immediate`, the time, the name and the xid — is restored into a directory of its own and
//! started, and must hold exactly the markers up to its point, pass `amcheck` (every B-tree
//! index with `heapallindexed`, every table's heap) and give the same dump of the off-chain
//! tables as the source gave at that point. RPO: how long m4's commit took to reach the
//! repository on its own (`archive_timeout`); RTO: restore start to a promoted, writable copy.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use sqlx::{Connection as _, PgConnection};
use tokio::io::AsyncBufReadExt as _;

use super::cluster::Cluster;
use super::os::RunAs;
use super::pgbackrest::{Stanza, StanzaConfig};
use super::{restore, BackupError, RestoreTarget};

/// The drill's database on its scratch cluster.
const DATABASE: &str = "drill";
const RESTORE_POINT: &str = "passa-drill";
/// The markers a copy restored to each point holds (the phases before it).
const PHASES: [&str; 5] = ["base", "m1", "m2", "m3", "m4"];

/// How to run the drill.
#[derive(Debug, Clone)]
pub struct DrillOptions {
    /// Everything the drill makes lives here (clusters, repository, key); removed at the end
    /// unless `keep`.
    pub work_dir: PathBuf,
    /// The scratch cluster's port; the restored copies use the next one.
    pub port: u16,
    /// Grow the database to at least this many MB before the backup.
    pub size_mb: u64,
    /// The scratch cluster's `archive_timeout`.
    pub archive_timeout: Duration,
    /// PostgreSQL's bin directory.
    pub bin: PathBuf,
    /// Who runs the clusters and pgBackRest.
    pub run_as: RunAs,
    /// Keep the work directory.
    pub keep: bool,
}

/// What the drill measured.
#[derive(Debug, Clone)]
pub struct DrillReport {
    /// The database's size when backed up.
    pub database_bytes: u64,
    /// How long the full backup took.
    pub backup_took: Duration,
    /// Each restore, checked.
    pub restores: Vec<RestoreCheck>,
    /// How long the last commit took to reach the repository.
    pub rpo: Duration,
    /// The bound on it.
    pub archive_timeout: Duration,
}

/// One restore of the drill.
#[derive(Debug, Clone)]
pub struct RestoreCheck {
    /// immediate, time, name or xid, with its value.
    pub target: String,
    /// The markers the copy holds.
    pub markers: Vec<String>,
    /// B-tree indexes and tables amcheck checked (no corruption found in any).
    pub checked: (i64, i64),
    /// From the start of the restore to a promoted copy accepting writes.
    pub rto: Duration,
}

impl std::fmt::Display for DrillReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "database: {:.1} MB; full backup: {:.1} s",
            self.database_bytes as f64 / 1e6,
            self.backup_took.as_secs_f64()
        )?;
        for r in &self.restores {
            writeln!(
                f,
                "restore to {:<28} markers [{}], amcheck {} indexes / {} tables clean, dump equal, RTO {:.1} s",
                r.target,
                r.markers.join(", "),
                r.checked.0,
                r.checked.1,
                r.rto.as_secs_f64()
            )?;
        }
        let rto = self
            .restores
            .iter()
            .map(|r| r.rto)
            .max()
            .unwrap_or_default();
        write!(
            f,
            "RPO {:.1} s (the last commit's WAL reached the repository on its own; archive_timeout {} s bounds it)\nRTO {:.1} s (slowest restore to a writable copy)",
            self.rpo.as_secs_f64(),
            self.archive_timeout.as_secs(),
            rto.as_secs_f64()
        )
    }
}

/// Runs the drill; see the module's documentation.
///
/// # Errors
/// [`BackupError::Drill`] when a restore does not give back what it should; the errors of
/// setting up the clusters and repository. The machine's own clusters are never touched.
pub async fn drill(options: &DrillOptions) -> Result<DrillReport, BackupError> {
    if !super::pgbackrest::is_empty_dir(&options.work_dir) {
        return Err(BackupError::TargetNotEmpty(options.work_dir.clone()));
    }
    let mut drill = Drill::prepare(options)?;
    let result = drill.run().await;
    let _ = drill.source.stop().await;
    if !options.keep && result.is_ok() {
        let _ = std::fs::remove_dir_all(&options.work_dir);
    }
    result
}

/// The drill's clusters and stanza, and what the source looked like at each point.
struct Drill<'a> {
    options: &'a DrillOptions,
    stanza: Stanza,
    source: Cluster,
    /// (target, the markers it must bring back, the source's dump at that point).
    points: Vec<(RestoreTarget, usize, String)>,
}

impl<'a> Drill<'a> {
    fn prepare(options: &'a DrillOptions) -> Result<Self, BackupError> {
        let work = &options.work_dir;
        options.run_as.private_dir(work)?;
        let stanza = Stanza {
            name: "drill".to_owned(),
            config_dir: work.join("config"),
            run_as: options.run_as.clone(),
        };
        let source = Cluster {
            data: work.join("source"),
            port: options.port,
            socket_dir: work.join("socket"),
            bin: options.bin.clone(),
            run_as: options.run_as.clone(),
        };
        stanza.write_config(&StanzaConfig {
            pg_path: source.data.clone(),
            pg_port: source.port,
            pg_socket: Some(source.socket_dir.clone()),
            repo: work.join("repository"),
            repo2: None,
            retention_full: 2,
            retention_diff: 2,
            work_dir: Some(work.join("pgbackrest")),
        })?;
        Ok(Self {
            options,
            stanza,
            source,
            points: Vec::new(),
        })
    }

    async fn run(&mut self) -> Result<DrillReport, BackupError> {
        self.start_source().await?;
        let mut db = self.source.connect(DATABASE).await?;
        load_schema(&mut db).await?;
        let database_bytes = grow(&mut db, self.options.size_mb).await?;
        phase(&mut db, "base").await?;
        let backup_took = self.backup().await?;
        let dump = self.dump(&self.source).await?;
        self.points.push((RestoreTarget::Immediate, 1, dump));
        self.phases(&mut db).await?;
        let rpo = last_commit_archived(&mut db).await?;
        let _ = db.close().await;
        let mut restores = Vec::new();
        for n in 0..self.points.len() {
            restores.push(self.check_restore(n).await?);
        }
        Ok(DrillReport {
            database_bytes,
            backup_took,
            restores,
            rpo,
            archive_timeout: self.options.archive_timeout,
        })
    }

    async fn start_source(&self) -> Result<(), BackupError> {
        let timeout = format!("{}s", self.options.archive_timeout.as_secs().max(1));
        self.source
            .init(&[
                ("wal_level", "replica".to_owned()),
                ("archive_mode", "on".to_owned()),
                ("archive_command", self.stanza.archive_command()),
                ("archive_timeout", timeout),
            ])
            .await?;
        self.source.start().await?;
        let mut admin = self.source.connect("postgres").await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {DATABASE}")))
            .execute(&mut admin)
            .await
            .map_err(|e| BackupError::sql("creating the drill's database".to_owned(), e))?;
        let _ = admin.close().await;
        Ok(())
    }

    async fn backup(&self) -> Result<Duration, BackupError> {
        let started = Instant::now();
        self.stanza.run("stanza-create", &[]).await?;
        self.stanza
            .run("backup", &["--type=full".to_owned()])
            .await?;
        Ok(started.elapsed())
    }

    /// m1 then a time, m2 then a named point, m3 and its xid, a WAL switch, m4; the source's
    /// dump at each point.
    async fn phases(&mut self, db: &mut PgConnection) -> Result<(), BackupError> {
        phase(db, "m1").await?;
        // A second between m1 and the time, and between the time and m2, so the time falls
        // strictly between their commits.
        scalar::<String>(db, "SELECT pg_sleep(1.1)::text").await?;
        let time: String = scalar(
            db,
            "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'",
        )
        .await?;
        let dump = self.dump(&self.source).await?;
        self.points.push((RestoreTarget::Time(time), 2, dump));
        scalar::<String>(db, "SELECT pg_sleep(1.1)::text").await?;
        phase(db, "m2").await?;
        scalar::<String>(
            db,
            &format!("SELECT pg_create_restore_point('{RESTORE_POINT}')::text"),
        )
        .await?;
        let dump = self.dump(&self.source).await?;
        self.points
            .push((RestoreTarget::Name(RESTORE_POINT.to_owned()), 3, dump));
        let xid = phase(db, "m3").await?;
        let dump = self.dump(&self.source).await?;
        self.points.push((RestoreTarget::Xid(xid), 4, dump));
        scalar::<String>(db, "SELECT pg_switch_wal()::text").await?;
        phase(db, "m4").await?;
        Ok(())
    }

    /// Restores point `n` into a directory of its own, starts it and checks it.
    async fn check_restore(&self, n: usize) -> Result<RestoreCheck, BackupError> {
        let (target, markers, expected_dump) = &self.points[n];
        let copy = Cluster {
            data: self.options.work_dir.join(format!("restore-{n}")),
            port: self.options.port.saturating_add(1),
            socket_dir: self.options.work_dir.join("socket-restore"),
            bin: self.options.bin.clone(),
            run_as: self.options.run_as.clone(),
        };
        let started = Instant::now();
        restore(&self.stanza, target, &copy.data).await?;
        copy.start().await?;
        let checked = async {
            copy.wait_promoted(Duration::from_secs(3600)).await?;
            let rto = started.elapsed();
            let mut db = copy.connect(DATABASE).await?;
            let found = markers_of(&mut db).await?;
            let checked = amcheck(&mut db).await?;
            let _ = db.close().await;
            let dump = self.dump(&copy).await?;
            Ok::<_, BackupError>((rto, found, checked, dump))
        }
        .await;
        let _ = copy.stop().await;
        let (rto, found, checked, dump) = checked?;
        let label = describe(target);
        let want: Vec<String> = PHASES[..*markers].iter().map(|p| (*p).to_owned()).collect();
        if found != want {
            return Err(BackupError::Drill(format!(
                "the copy restored to {label} holds markers {found:?}, not {want:?}"
            )));
        }
        if &dump != expected_dump {
            return Err(BackupError::Drill(format!(
                "the copy restored to {label} dumps differently from the source at that point"
            )));
        }
        let _ = std::fs::remove_dir_all(&copy.data);
        Ok(RestoreCheck {
            target: label,
            markers: found,
            checked,
            rto,
        })
    }

    /// The SHA-256 of a data-only dump of the off-chain tables of `cluster`'s drill
    /// database, without its [unstable lines](is_unstable_line) (a restored sequence resumes
    /// past its last logged value). A physical restore keeps every row where it was, so the dumps
    /// of the source and of a copy at the same point are the same bytes.
    async fn dump(&self, cluster: &Cluster) -> Result<String, BackupError> {
        let mut pg_dump = self
            .options
            .run_as
            .command(self.options.bin.join("pg_dump"));
        pg_dump
            .arg("--host")
            .arg(&cluster.socket_dir)
            .args([
                "--port",
                &cluster.port.to_string(),
                "--username",
                "postgres",
            ])
            .args(["--data-only", "--dbname", DATABASE]);
        for chain_table in CHAIN_TABLES {
            pg_dump.arg(format!("--exclude-table={chain_table}"));
        }
        let mut child = pg_dump
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| BackupError::io("starting pg_dump".to_owned(), e))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BackupError::Setup("pg_dump has no output".to_owned()))?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let mut hash = Sha256::new();
        while let Some(line) = lines
            .next_line()
            .await
            .map_err(|e| BackupError::io("reading pg_dump".to_owned(), e))?
        {
            if !is_unstable_line(&line) {
                hash.update(line.as_bytes());
                hash.update(b"\n");
            }
        }
        let status = child
            .wait()
            .await
            .map_err(|e| BackupError::io("waiting for pg_dump".to_owned(), e))?;
        if !status.success() {
            return Err(BackupError::Setup(format!(
                "pg_dump of {} failed ({status})",
                cluster.describe()
            )));
        }
        Ok(hex::encode(hash.finalize()))
    }
}

/// Lines of a dump that differ between two dumps of the same data: comments, sequence
/// positions, and the random key of `\restrict` (pg_dump ≥ 15.14).
fn is_unstable_line(line: &str) -> bool {
    [
        "--",
        "SELECT pg_catalog.setval",
        "\\restrict ",
        "\\unrestrict ",
    ]
    .iter()
    .any(|prefix| line.starts_with(prefix))
}

/// The tables the chain fills (and the drill's own markers): the dump compares the rest, the
/// data that lives only in PostgreSQL.
const CHAIN_TABLES: [&str; 11] = [
    "chain_events",
    "parked_events",
    "sync_cursors",
    "sync_contracts",
    "ticket_transfers",
    "tickets",
    "transactions*",
    "smart_contracts",
    "audit_logs*",
    "_sqlx_migrations",
    "drill_markers",
];

fn describe(target: &RestoreTarget) -> String {
    match target {
        RestoreTarget::Immediate => "immediate".to_owned(),
        RestoreTarget::Time(t) => format!("time {t}"),
        RestoreTarget::Name(n) => format!("name {n}"),
        RestoreTarget::Xid(x) => format!("xid {x}"),
    }
}

async fn scalar<T>(db: &mut PgConnection, sql: &str) -> Result<T, BackupError>
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    let row: (T,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(db)
        .await
        .map_err(|e| BackupError::sql(format!("running {sql}"), e))?;
    Ok(row.0)
}

/// The platform's schema and seed, amcheck, and the markers' table.
async fn load_schema(db: &mut PgConnection) -> Result<(), BackupError> {
    crate::migrations::MIGRATOR
        .run(&mut *db)
        .await
        .map_err(|e| BackupError::Setup(format!("migrating the drill's database: {e}")))?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "{}\nCREATE EXTENSION amcheck;\n\
         CREATE TABLE drill_markers (phase text PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp());",
        crate::seed::SEED_SQL
    )))
    .execute(db)
    .await
    .map_err(|e| BackupError::sql("seeding the drill's database".to_owned(), e))?;
    Ok(())
}

/// Adds users with profiles, 20 000 at a time, until the database holds `size_mb`; returns
/// its size.
async fn grow(db: &mut PgConnection, size_mb: u64) -> Result<u64, BackupError> {
    let target = i64::try_from(size_mb.saturating_mul(1_000_000)).unwrap_or(i64::MAX);
    let mut next = 0i64;
    loop {
        let size: i64 = scalar(db, "SELECT pg_database_size(current_database())").await?;
        if size >= target {
            return Ok(u64::try_from(size).unwrap_or(0));
        }
        sqlx::query(
            "WITH u AS (
                 INSERT INTO users (username, email, first_name, last_name)
                 SELECT 'drill_' || g, 'drill' || g || '@example.com', 'Fan', 'Number ' || g
                   FROM generate_series($1::bigint, $1::bigint + 19999) g
                 RETURNING user_id, username)
             INSERT INTO user_profiles (user_id, display_name, bio)
             SELECT user_id, username, repeat('A ticket holder of Nairobi. ', 8) FROM u",
        )
        .bind(next)
        .execute(&mut *db)
        .await
        .map_err(|e| BackupError::sql("growing the drill's database".to_owned(), e))?;
        next += 20_000;
    }
}

/// One phase: its marker and a change to the off-chain tables, in one transaction; returns
/// the transaction's id.
async fn phase(db: &mut PgConnection, name: &str) -> Result<String, BackupError> {
    let fail = |e| BackupError::sql(format!("writing phase {name}"), e);
    let mut tx = db.begin().await.map_err(fail)?;
    sqlx::query("INSERT INTO drill_markers (phase) VALUES ($1)")
        .bind(name)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
    sqlx::query(
        "WITH u AS (
             INSERT INTO users (username, email) VALUES ('phase_' || $1, 'phase_' || $1 || '@example.com')
             RETURNING user_id)
         INSERT INTO user_profiles (user_id, display_name) SELECT user_id, $1 FROM u",
    )
    .bind(name)
    .execute(&mut *tx)
    .await
    .map_err(fail)?;
    sqlx::query(
        "UPDATE users SET last_name = 'seen in ' || $1
          WHERE username = (SELECT min(username) FROM users)",
    )
    .bind(name)
    .execute(&mut *tx)
    .await
    .map_err(fail)?;
    let xid: String = sqlx::query_scalar("SELECT txid_current()::text")
        .fetch_one(&mut *tx)
        .await
        .map_err(fail)?;
    tx.commit().await.map_err(fail)?;
    Ok(xid)
}

/// Waits until the WAL of the last commit is archived without being pushed (no switch):
/// how long a commit can be at risk.
async fn last_commit_archived(db: &mut PgConnection) -> Result<Duration, BackupError> {
    let committed = Instant::now();
    let segment: String = scalar(db, "SELECT pg_walfile_name(pg_current_wal_lsn())").await?;
    loop {
        let archived: Option<String> =
            scalar(db, "SELECT last_archived_wal FROM pg_stat_archiver").await?;
        if archived.is_some_and(|a| a.get(8..) >= segment.get(8..)) {
            return Ok(committed.elapsed());
        }
        if committed.elapsed() > Duration::from_secs(600) {
            return Err(BackupError::Drill(format!(
                "segment {segment} was not archived within 10 minutes (see pg_stat_archiver)"
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn markers_of(db: &mut PgConnection) -> Result<Vec<String>, BackupError> {
    sqlx::query_scalar("SELECT phase FROM drill_markers ORDER BY at")
        .fetch_all(db)
        .await
        .map_err(|e| BackupError::sql("reading the markers".to_owned(), e))
}

/// amcheck over the whole database: every valid B-tree index (`bt_index_check` with
/// `heapallindexed`) and every table's heap (`verify_heapam`, which lists corruption).
/// Returns (indexes, tables) checked.
async fn amcheck(db: &mut PgConnection) -> Result<(i64, i64), BackupError> {
    let indexes: i64 = scalar(
        db,
        "SELECT count(bt_index_check(c.oid, true))
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_am am ON am.oid = c.relam
          WHERE am.amname = 'btree' AND c.relkind = 'i' AND i.indisvalid AND i.indisready
            AND c.relpersistence <> 't'",
    )
    .await?;
    let (tables, corrupt): (i64, i64) = sqlx::query_as(
        "SELECT count(DISTINCT c.oid), count(v.blkno)
           FROM pg_class c LEFT JOIN LATERAL verify_heapam(c.oid) v ON true
          WHERE c.relkind IN ('r', 'm', 't') AND c.relpersistence <> 't'",
    )
    .fetch_one(db)
    .await
    .map_err(|e| BackupError::sql("running verify_heapam".to_owned(), e))?;
    if corrupt > 0 {
        return Err(BackupError::Drill(format!(
            "verify_heapam found {corrupt} corrupt tuple(s)"
        )));
    }
    Ok((indexes, tables))
}
