//! Backups of the platform's database with pgBackRest: continuous WAL archiving, full,
//! differential and incremental backups in an encrypted repository (optionally a second one),
//! retention, named restore points, point-in-time restores, and a restore drill.
//!
//! This is a thin layer: the configuration is plain pgBackRest configuration ([`pgbackrest`]
//! says where), every step is one pgBackRest command or one SQL statement, and a DBA can do
//! each by hand. What the layer adds is the checks around them (a missing key or repository, a
//! restore target before the oldest backup, a target directory that is not empty: one clear
//! error each, and the running cluster is never touched), the policy (`list` fails when the
//! newest full backup is too old) and the drill ([`drill`]), which proves restores work.
//!
//! RPO: `archive_timeout` (60 s) bounds how long a commit can wait before its WAL segment is
//! in the repository, so at most the last minute is lost. RTO: a restore is a copy of the
//! backup plus WAL replay; the drill measures it.

mod cluster;
pub mod drill;
mod error;
mod os;
pub mod pgbackrest;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use sqlx::PgConnection;

pub use cluster::Cluster;
pub use error::BackupError;
pub use os::{pg_bin, RunAs};
pub use pgbackrest::{BackupSet, Stanza, StanzaConfig};

/// The default `archive_timeout`: the longest a commit waits before its WAL is archived.
pub const DEFAULT_ARCHIVE_TIMEOUT: Duration = Duration::from_secs(60);

/// What `init` sets up beyond the stanza's configuration.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The repository.
    pub repo: PathBuf,
    /// A second repository (another disk or region), or none.
    pub repo2: Option<PathBuf>,
    /// Full backups kept.
    pub retention_full: u32,
    /// Differential backups kept.
    pub retention_diff: u32,
    /// The server's `archive_timeout`.
    pub archive_timeout: Duration,
}

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitOutcome {
    /// Archiving works and the stanza exists: backups can be taken.
    Ready {
        /// The data directory backed up.
        data_directory: PathBuf,
    },
    /// `archive_mode` was turned on, which takes a server restart.
    RestartNeeded,
}

/// Sets up the stanza for the server `conn` is connected to (which must be on this machine):
/// its configuration and key, the server's WAL archiving (`archive_mode`, `archive_command`,
/// `archive_timeout`, by ALTER SYSTEM), then `stanza-create` and `check`. Safe to run again.
///
/// # Errors
/// [`BackupError`]: not a superuser, files that cannot be written, pgBackRest's errors.
pub async fn init(
    conn: &mut PgConnection,
    stanza: &Stanza,
    options: &InitOptions,
) -> Result<InitOutcome, BackupError> {
    require_superuser(conn, "passa db backup init").await?;
    let server = ServerFacts::read(conn).await?;
    stanza.write_config(&StanzaConfig {
        pg_path: server.data_directory.clone(),
        pg_port: server.port,
        pg_socket: server.socket.clone(),
        repo: options.repo.clone(),
        repo2: options.repo2.clone(),
        retention_full: options.retention_full,
        retention_diff: options.retention_diff,
        work_dir: None,
    })?;
    let mut settings = vec![
        ("archive_command", stanza.archive_command()),
        (
            "archive_timeout",
            format!("{}s", options.archive_timeout.as_secs()),
        ),
    ];
    let restart = !matches!(server.archive_mode.as_str(), "on" | "always");
    if restart {
        settings.push(("archive_mode", "on".to_owned()));
    }
    if server.wal_level == "minimal" {
        settings.push(("wal_level", "replica".to_owned()));
    }
    alter_system(conn, &settings).await?;
    if restart || server.wal_level == "minimal" {
        return Ok(InitOutcome::RestartNeeded);
    }
    stanza.run("stanza-create", &[]).await?;
    stanza.run("check", &[]).await?;
    Ok(InitOutcome::Ready {
        data_directory: server.data_directory,
    })
}

/// What `init` needs to know about the server.
struct ServerFacts {
    data_directory: PathBuf,
    port: u16,
    socket: Option<PathBuf>,
    archive_mode: String,
    wal_level: String,
}

impl ServerFacts {
    async fn read(conn: &mut PgConnection) -> Result<Self, BackupError> {
        let (data, port, sockets, archive_mode, wal_level): (
            String,
            String,
            String,
            String,
            String,
        ) = sqlx::query_as(
            "SELECT current_setting('data_directory'), current_setting('port'),
                        current_setting('unix_socket_directories'),
                        current_setting('archive_mode'), current_setting('wal_level')",
        )
        .fetch_one(conn)
        .await
        .map_err(|e| BackupError::sql("reading the server's settings".to_owned(), e))?;
        Ok(Self {
            data_directory: PathBuf::from(data),
            port: port.parse().unwrap_or(5432),
            socket: sockets
                .split(',')
                .map(str::trim)
                .find(|s| !s.is_empty())
                .map(PathBuf::from),
            archive_mode,
            wal_level,
        })
    }
}

async fn require_superuser(conn: &mut PgConnection, what: &'static str) -> Result<(), BackupError> {
    let (user, superuser): (String, bool) = sqlx::query_as(
        "SELECT current_user::text, rolsuper FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(conn)
    .await
    .map_err(|e| BackupError::sql("reading the connected role".to_owned(), e))?;
    if superuser {
        Ok(())
    } else {
        Err(BackupError::NotSuperuser { what, user })
    }
}

/// ALTER SYSTEM SET each setting, then reload.
async fn alter_system(
    conn: &mut PgConnection,
    settings: &[(&str, String)],
) -> Result<(), BackupError> {
    for (name, value) in settings {
        let statement = format!("ALTER SYSTEM SET {name} = '{}'", value.replace('\'', "''"));
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(&mut *conn)
            .await
            .map_err(|e| BackupError::sql(format!("setting {name}"), e))?;
    }
    sqlx::query("SELECT pg_reload_conf()")
        .execute(conn)
        .await
        .map_err(|e| BackupError::sql("reloading the configuration".to_owned(), e))?;
    Ok(())
}

/// Which backup to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    /// Everything.
    Full,
    /// What changed since the last full backup.
    Diff,
    /// What changed since the last backup of any kind (a full one when there is none).
    Incr,
}

impl BackupKind {
    fn as_str(self) -> &'static str {
        match self {
            BackupKind::Full => "full",
            BackupKind::Diff => "diff",
            BackupKind::Incr => "incr",
        }
    }
}

/// Takes a backup (and expires what retention no longer keeps); returns it.
///
/// # Errors
/// A missing stanza, key or repository; pgBackRest's errors.
pub async fn run(stanza: &Stanza, kind: BackupKind) -> Result<BackupSet, BackupError> {
    stanza.check_present()?;
    stanza
        .run("backup", &[format!("--type={}", kind.as_str())])
        .await?;
    stanza.backups().await?.pop().ok_or_else(|| {
        BackupError::Setup("pgbackrest reported no backup after taking one".to_owned())
    })
}

/// Checks that archiving works (`check`: a WAL segment pushed and found) and that every file
/// of the repository is intact (`verify`: checksums of backups and WAL).
///
/// # Errors
/// A missing stanza, key or repository; what pgBackRest found wrong.
pub async fn verify(stanza: &Stanza) -> Result<(), BackupError> {
    stanza.check_present()?;
    stanza.run("check", &[]).await?;
    stanza.run("verify", &[]).await?;
    Ok(())
}

/// The backups, with the newest full one's age checked against `max_full_age`.
///
/// # Errors
/// [`BackupError::Stale`] or [`BackupError::NoFullBackup`] when the policy is not met (the
/// listing comes with it in [`Listing`] for printing first: see [`list`]'s caller), and the
/// errors of reading the repository.
pub async fn list(stanza: &Stanza, now: SystemTime) -> Result<Listing, BackupError> {
    stanza.check_present()?;
    let backups = stanza.backups().await?;
    let newest_full_age = backups
        .iter()
        .rev()
        .find(|b| b.kind == "full")
        .map(|b| b.age(now));
    Ok(Listing {
        backups,
        newest_full_age,
    })
}

/// What the repository holds.
#[derive(Debug, Clone)]
pub struct Listing {
    /// Oldest first.
    pub backups: Vec<BackupSet>,
    /// The age of the newest full backup, if there is one.
    pub newest_full_age: Option<Duration>,
}

impl Listing {
    /// Whether the newest full backup is recent enough.
    ///
    /// # Errors
    /// [`BackupError::Stale`], [`BackupError::NoFullBackup`].
    pub fn check_policy(&self, stanza: &str, max: Duration) -> Result<(), BackupError> {
        match self.newest_full_age {
            None => Err(BackupError::NoFullBackup(stanza.to_owned())),
            Some(age) if age > max => Err(BackupError::Stale {
                stanza: stanza.to_owned(),
                age,
                max,
            }),
            Some(_) => Ok(()),
        }
    }
}

/// Creates the named restore point `name` (a place to restore to: before a migration, a
/// bulk change, a release).
///
/// # Errors
/// Not a superuser; the server's errors.
pub async fn mark(conn: &mut PgConnection, name: &str) -> Result<String, BackupError> {
    require_superuser(conn, "passa db backup mark").await?;
    let lsn: String = sqlx::query_scalar("SELECT pg_create_restore_point($1)::text")
        .bind(name)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| BackupError::sql(format!("creating restore point {name}"), e))?;
    // Archive the segment now, so that the point can be restored to at once.
    sqlx::query("SELECT pg_switch_wal()")
        .execute(conn)
        .await
        .map_err(|e| BackupError::sql("switching the WAL segment".to_owned(), e))?;
    Ok(lsn)
}

/// Where a restore stops replaying WAL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreTarget {
    /// At this time (PostgreSQL's timestamptz syntax, e.g. `2026-12-07 10:15:00+00`):
    /// every transaction committed by then.
    Time(String),
    /// At this named restore point (`passa db backup mark`).
    Name(String),
    /// After this transaction id committed.
    Xid(String),
    /// As soon as the backup is consistent (the backup's end, nothing more).
    Immediate,
}

impl RestoreTarget {
    fn options(&self) -> Vec<String> {
        let typed =
            |kind: &str, target: &str| vec![format!("--type={kind}"), format!("--target={target}")];
        match self {
            RestoreTarget::Time(t) => typed("time", t),
            RestoreTarget::Name(n) => typed("name", n),
            RestoreTarget::Xid(x) => typed("xid", x),
            RestoreTarget::Immediate => vec!["--type=immediate".to_owned()],
        }
    }
}

/// What `restore` did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    /// The restored data directory.
    pub data: PathBuf,
    /// How long copying the backup took.
    pub took: Duration,
}

/// Restores the stanza's backups into the empty (or new) directory `target_dir`, set to
/// replay WAL up to `target` and then promote, with archiving off (the copy must not push
/// into the repository of the cluster it was copied from). The copy is not started.
///
/// # Errors
/// A missing stanza, key or repository; [`BackupError::TargetNotEmpty`];
/// [`BackupError::TargetBeforeOldest`]; pgBackRest's errors. Nothing outside `target_dir`
/// is changed.
pub async fn restore(
    stanza: &Stanza,
    target: &RestoreTarget,
    target_dir: &Path,
) -> Result<RestoreReport, BackupError> {
    stanza.check_present()?;
    if !pgbackrest::is_empty_dir(target_dir) {
        return Err(BackupError::TargetNotEmpty(target_dir.to_owned()));
    }
    if let RestoreTarget::Time(time) = target {
        check_time_target(stanza, time).await?;
    }
    let started = Instant::now();
    stanza.run_as.private_dir(target_dir)?;
    let mut options = vec![
        format!("--pg1-path={}", target_dir.display()),
        "--target-action=promote".to_owned(),
        "--archive-mode=off".to_owned(),
    ];
    options.extend(target.options());
    stanza.run("restore", &options).await?;
    cluster::ensure_config(&stanza.run_as, target_dir)?;
    Ok(RestoreReport {
        data: target_dir.to_owned(),
        took: started.elapsed(),
    })
}

/// Refuses a time target before the oldest backup became consistent.
async fn check_time_target(stanza: &Stanza, time: &str) -> Result<(), BackupError> {
    let target = parse_time(time)?;
    let backups = stanza.backups().await?;
    let Some(oldest) = backups.first() else {
        return Err(BackupError::NoFullBackup(stanza.name.clone()));
    };
    let oldest_stop = i64::try_from(oldest.stopped).unwrap_or(i64::MAX);
    if target.timestamp() < oldest_stop {
        let oldest = chrono::DateTime::from_timestamp(oldest_stop, 0)
            .map_or_else(|| oldest_stop.to_string(), |t| t.to_rfc3339());
        return Err(BackupError::TargetBeforeOldest {
            target: time.to_owned(),
            oldest,
        });
    }
    Ok(())
}

/// A restore time as PostgreSQL would read it for `recovery_target_time`: RFC 3339, or
/// `YYYY-MM-DD HH:MM:SS[.f]` with an offset (`+00`, `+0100`, `+01:00`) or `UTC`.
fn parse_time(text: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, BackupError> {
    let t = text.trim();
    let with_offset = t
        .strip_suffix(" UTC")
        .map_or_else(|| t.to_owned(), |b| format!("{b}+00:00"));
    let normalised = match with_offset.rfind(['+', '-']) {
        // "+00" → "+00:00"
        Some(at) if at > 10 && with_offset.len() - at == 3 => format!("{with_offset}:00"),
        _ => with_offset,
    };
    chrono::DateTime::parse_from_rfc3339(&normalised.replacen(' ', "T", 1))
        .or_else(|_| chrono::DateTime::parse_from_str(&normalised, "%Y-%m-%d %H:%M:%S%.f%z"))
        .map_err(|_| {
            BackupError::BadTarget(format!(
                "cannot read the time \"{text}\": give it with its offset, e.g. \
                 \"2026-12-07 10:15:00+00\" or 2026-12-07T10:15:00Z"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_times_are_read_with_their_offset() {
        let utc = |t: &str| parse_time(t).map(|d| d.timestamp()).ok();
        let expected = Some(1_796_638_500);
        assert_eq!(utc("2026-12-07T10:15:00Z"), expected);
        assert_eq!(utc("2026-12-07 10:15:00+00"), expected);
        assert_eq!(utc("2026-12-07 10:15:00+00:00"), expected);
        assert_eq!(utc("2026-12-07 11:15:00+01:00"), expected);
        assert_eq!(utc("2026-12-07 10:15:00 UTC"), expected);
        assert_eq!(utc("2026-12-07 10:15:00.250+00"), expected);
        assert!(parse_time("2026-12-07 10:15:00").is_err(), "no offset");
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn the_policy_wants_a_recent_full_backup() {
        let day = Duration::from_secs(86_400);
        let listing = |age| Listing {
            backups: vec![],
            newest_full_age: age,
        };
        assert!(listing(Some(day / 2)).check_policy("s", day).is_ok());
        assert!(matches!(
            listing(Some(day * 2)).check_policy("s", day),
            Err(BackupError::Stale { .. })
        ));
        assert!(matches!(
            listing(None).check_policy("s", day),
            Err(BackupError::NoFullBackup(_))
        ));
    }
}
