//! A PostgreSQL cluster `passa` starts and stops itself: the drill's scratch cluster and the
//! copies restored from its backups, and a restored copy started by `restore --start`.
//!
//! Each one listens only on a Unix socket in a directory of its own (no TCP, nothing shared
//! with the machine's clusters), on a port of its choosing (the port names the socket file).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions as _, Connection as _};

use super::error::BackupError;
use super::os::{run, RunAs};

/// One cluster: data directory, port, socket directory, and the programs that run it.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// The data directory.
    pub data: PathBuf,
    /// The port (and so the socket's name).
    pub port: u16,
    /// Where its socket is.
    pub socket_dir: PathBuf,
    /// PostgreSQL's bin directory.
    pub bin: PathBuf,
    /// Who runs it.
    pub run_as: RunAs,
}

impl Cluster {
    /// A new cluster in `data` (initdb, local trust: only its private socket reaches it) with
    /// `settings` appended to its postgresql.conf.
    pub async fn init(&self, settings: &[(&str, String)]) -> Result<(), BackupError> {
        self.run_as.private_dir(&self.socket_dir)?;
        let mut initdb = self.run_as.command(self.bin.join("initdb"));
        initdb.arg("-D").arg(&self.data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-instructions",
        ]);
        run("initdb", initdb).await?;
        let mut conf = format!(
            "\n# passa: a cluster of its own, reached only through its socket.\n\
             listen_addresses = ''\nport = {}\nunix_socket_directories = '{}'\n",
            self.port,
            self.socket_dir.display()
        );
        for (name, value) in settings {
            conf.push_str(&format!("{name} = '{}'\n", value.replace('\'', "''")));
        }
        append(&self.data.join("postgresql.conf"), &conf)
    }

    /// Starts it and waits until it accepts connections (a restored copy: until its
    /// recovery has replayed what it needs to open).
    pub async fn start(&self) -> Result<(), BackupError> {
        self.run_as.private_dir(&self.socket_dir)?;
        let mut pg_ctl = self.run_as.command(self.bin.join("pg_ctl"));
        pg_ctl
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.log_file())
            .arg("-o")
            .arg(format!(
                "-p {} -c unix_socket_directories='{}' -c listen_addresses=''",
                self.port,
                self.socket_dir.display()
            ))
            .args(["-w", "-t", "3600", "start"]);
        run("pg_ctl start", pg_ctl).await.map(drop).map_err(|e| {
            BackupError::Setup(format!("{e} (its log: {})", self.log_file().display()))
        })
    }

    /// Stops it (fast: open sessions are ended, nothing is lost).
    pub async fn stop(&self) -> Result<(), BackupError> {
        let mut pg_ctl = self.run_as.command(self.bin.join("pg_ctl"));
        pg_ctl
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "stop"]);
        run("pg_ctl stop", pg_ctl).await.map(drop)
    }

    /// Where the server logs (beside the data directory: a restore target stays empty until
    /// restored into).
    pub fn log_file(&self) -> PathBuf {
        let name = self
            .data
            .file_name()
            .map_or_else(|| "postgres".into(), |n| n.to_string_lossy().into_owned());
        self.data.with_file_name(format!("{name}.log"))
    }

    /// Connection options for `database`, as `postgres`, through the socket.
    pub fn options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(self.port)
            .username("postgres")
            .database(database)
            .application_name("passa backup")
    }

    /// One connection to `database`.
    pub async fn connect(&self, database: &str) -> Result<PgConnection, BackupError> {
        self.options(database)
            .connect()
            .await
            .map_err(|e| BackupError::sql(format!("connecting to {}", self.describe()), e))
    }

    /// Waits until recovery has ended (the copy is promoted and writable).
    pub async fn wait_promoted(&self, limit: Duration) -> Result<(), BackupError> {
        let started = Instant::now();
        loop {
            let mut conn = self.connect("postgres").await?;
            let recovering: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
                .fetch_one(&mut conn)
                .await
                .map_err(|e| BackupError::sql("reading pg_is_in_recovery()".to_owned(), e))?;
            let _ = conn.close().await;
            if !recovering {
                return Ok(());
            }
            if started.elapsed() > limit {
                return Err(BackupError::Setup(format!(
                    "{} is still recovering after {} s (its log: {})",
                    self.describe(),
                    limit.as_secs(),
                    self.log_file().display()
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// "the cluster in DIR (port N)".
    pub fn describe(&self) -> String {
        format!(
            "the cluster in {} (port {})",
            self.data.display(),
            self.port
        )
    }
}

/// A restored data directory copied from a Debian cluster has no postgresql.conf and
/// pg_hba.conf (Debian keeps them in /etc/postgresql): write minimal ones so that it starts.
/// The copy's own settings (postgresql.auto.conf, restored) still apply on top.
pub fn ensure_config(run_as: &RunAs, data: &Path) -> Result<(), BackupError> {
    let conf = data.join("postgresql.conf");
    if !conf.exists() {
        run_as.private_file(
            &conf,
            "# Written by `passa db backup restore`: the backup had no postgresql.conf.\n\
             listen_addresses = ''\n",
        )?;
    }
    let hba = data.join("pg_hba.conf");
    if !hba.exists() {
        run_as.private_file(
            &hba,
            "# Written by `passa db backup restore`: only the OS user that owns the copy, through\n\
             # its socket (add host lines before opening it to the network).\nlocal all all peer\n\
             local all postgres trust\n",
        )?;
    }
    Ok(())
}

fn append(file: &Path, text: &str) -> Result<(), BackupError> {
    use std::io::Write as _;
    let io = |e| BackupError::io(format!("writing {}", file.display()), e);
    let mut out = std::fs::OpenOptions::new()
        .append(true)
        .open(file)
        .map_err(io)?;
    out.write_all(text.as_bytes()).map_err(io)
}
