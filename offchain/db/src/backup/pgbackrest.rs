//! One pgBackRest stanza as `passa` configures and drives it.
//!
//! The configuration is ordinary pgBackRest configuration, so that a DBA can run `pgbackrest`
//! by hand against it: in CONFIG_DIR (default `/etc/pgbackrest`) the stanza's section lives
//! in `conf.d/<stanza>.conf`, and the repository's encryption key (`repo1-cipher-pass`) in
//! `conf.d/<stanza>-cipher.conf`, mode 600: never inside the repository it unlocks, so a copy
//! of the repository alone (or its second, remote copy) reveals nothing.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::process::Command;

use super::error::BackupError;
use super::os::{run, RunAs};

/// A stanza: its name, where its configuration is, and who runs pgBackRest for it.
#[derive(Debug, Clone)]
pub struct Stanza {
    /// The stanza's name (pgBackRest's word for one cluster's backups).
    pub name: String,
    /// Holds `pgbackrest.conf` and `conf.d/`.
    pub config_dir: PathBuf,
    /// The OS user pgBackRest runs as (the cluster's owner).
    pub run_as: RunAs,
}

/// What `passa db backup init` writes into the stanza's section.
#[derive(Debug, Clone)]
pub struct StanzaConfig {
    /// The cluster's data directory.
    pub pg_path: PathBuf,
    /// Its port.
    pub pg_port: u16,
    /// Its Unix socket directory.
    pub pg_socket: Option<PathBuf>,
    /// The repository.
    pub repo: PathBuf,
    /// A second repository (another disk, another region's mount): every WAL segment and
    /// backup goes to both.
    pub repo2: Option<PathBuf>,
    /// Full backups kept (older ones, and the WAL only they need, are expired).
    pub retention_full: u32,
    /// Differential backups kept.
    pub retention_diff: u32,
    /// pgBackRest's log, lock and spool directories, when not its defaults.
    pub work_dir: Option<PathBuf>,
}

/// One backup in the repository, as `pgbackrest info` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSet {
    /// pgBackRest's label (`20261207-220612F`).
    pub label: String,
    /// full, diff or incr.
    pub kind: String,
    /// Unix seconds.
    pub started: u64,
    /// Unix seconds: the backup is consistent from here on.
    pub stopped: u64,
    /// The database's size, bytes.
    pub size: u64,
    /// What it takes in the repository (compressed, deduplicated), bytes.
    pub repo_size: u64,
    /// The first and last WAL segment it needs.
    pub wal: (String, String),
}

impl BackupSet {
    /// Its age at `now`.
    pub fn age(&self, now: SystemTime) -> Duration {
        let stopped = UNIX_EPOCH + Duration::from_secs(self.stopped);
        now.duration_since(stopped).unwrap_or_default()
    }
}

impl Stanza {
    /// `CONFIG_DIR/pgbackrest.conf` (may be empty: everything of ours is in `conf.d`).
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("pgbackrest.conf")
    }

    fn include_dir(&self) -> PathBuf {
        self.config_dir.join("conf.d")
    }

    /// The stanza's section.
    pub fn stanza_file(&self) -> PathBuf {
        self.include_dir().join(format!("{}.conf", self.name))
    }

    /// The repository key's file.
    pub fn key_file(&self) -> PathBuf {
        self.include_dir()
            .join(format!("{}-cipher.conf", self.name))
    }

    fn config_args(&self) -> [String; 3] {
        [
            format!("--config={}", self.config_file().display()),
            format!("--config-include-path={}", self.include_dir().display()),
            format!("--stanza={}", self.name),
        ]
    }

    /// `pgbackrest <options> … <subcommand>` as the cluster's owner.
    pub fn command(&self, subcommand: &str, options: &[String]) -> Command {
        let mut command = self.run_as.command("pgbackrest");
        command
            .args(self.config_args())
            .args(options)
            .arg(subcommand);
        command
    }

    /// Runs a pgBackRest subcommand; what it printed.
    pub async fn run(&self, subcommand: &str, options: &[String]) -> Result<String, BackupError> {
        run(
            &format!("pgbackrest {subcommand}"),
            self.command(subcommand, options),
        )
        .await
    }

    /// What the server's `archive_command` is: push each WAL segment into the repository.
    pub fn archive_command(&self) -> String {
        let [config, include, stanza] = self.config_args();
        format!("pgbackrest {config} {include} {stanza} archive-push %p")
    }

    /// Writes the stanza's configuration, and a new key unless one exists (a key is never
    /// replaced: the backups it encrypted would be lost with it).
    pub fn write_config(&self, config: &StanzaConfig) -> Result<(), BackupError> {
        self.run_as.private_dir(&self.include_dir())?;
        if !self.config_file().exists() {
            self.run_as.private_file(
                &self.config_file(),
                "# Global pgBackRest settings; the stanzas passa configures are in conf.d/.\n",
            )?;
        }
        if let Some(work) = &config.work_dir {
            for dir in ["log", "lock", "spool"] {
                self.run_as.private_dir(&work.join(dir))?;
            }
        }
        for repo in std::iter::once(&config.repo).chain(&config.repo2) {
            self.run_as.private_dir(repo)?;
        }
        self.run_as
            .private_file(&self.stanza_file(), &self.section(config))?;
        if !self.key_file().exists() {
            let key = new_key()?;
            let mut text = format!("[{}]\nrepo1-cipher-pass={key}\n", self.name);
            if config.repo2.is_some() {
                text.push_str(&format!("repo2-cipher-pass={key}\n"));
            }
            self.run_as.private_file(&self.key_file(), &text)?;
        }
        Ok(())
    }

    fn section(&self, c: &StanzaConfig) -> String {
        let mut s = format!(
            "# Written by `passa db backup init`; the key is in {}.\n[{}]\n",
            self.key_file().display(),
            self.name
        );
        let mut line = |k: &str, v: String| s.push_str(&format!("{k}={v}\n"));
        line("pg1-path", c.pg_path.display().to_string());
        line("pg1-port", c.pg_port.to_string());
        if let Some(socket) = &c.pg_socket {
            line("pg1-socket-path", socket.display().to_string());
        }
        for (n, repo) in std::iter::once(&c.repo).chain(&c.repo2).enumerate() {
            let n = n + 1;
            line(&format!("repo{n}-path"), repo.display().to_string());
            line(&format!("repo{n}-cipher-type"), "aes-256-cbc".to_owned());
            line(
                &format!("repo{n}-retention-full"),
                c.retention_full.to_string(),
            );
            line(
                &format!("repo{n}-retention-diff"),
                c.retention_diff.to_string(),
            );
        }
        if let Some(work) = &c.work_dir {
            for dir in ["log", "lock", "spool"] {
                line(&format!("{dir}-path"), work.join(dir).display().to_string());
            }
        }
        // Backups start with an immediate checkpoint instead of waiting for the next one.
        line("start-fast", "y".to_owned());
        line("compress-type", "zst".to_owned());
        s
    }

    /// The first repository's path, from the stanza's section.
    pub fn repo_path(&self) -> Result<PathBuf, BackupError> {
        let text =
            std::fs::read_to_string(self.stanza_file()).map_err(|_| self.not_initialised())?;
        text.lines()
            .find_map(|l| l.strip_prefix("repo1-path="))
            .map(PathBuf::from)
            .ok_or_else(|| self.not_initialised())
    }

    fn not_initialised(&self) -> BackupError {
        BackupError::NotInitialised {
            stanza: self.name.clone(),
            file: self.stanza_file(),
        }
    }

    /// Checks that the stanza's section, its key and its repository are all there, so that a
    /// missing one is named instead of surfacing as a pgBackRest error.
    pub fn check_present(&self) -> Result<PathBuf, BackupError> {
        let repo = self.repo_path()?;
        if !self.key_file().exists() {
            return Err(BackupError::KeyMissing {
                stanza: self.name.clone(),
                file: self.key_file(),
            });
        }
        if !repo.join("backup").join(&self.name).exists() {
            return Err(BackupError::RepositoryMissing {
                stanza: self.name.clone(),
                repo,
            });
        }
        Ok(repo)
    }

    /// The backups in the repository, oldest first.
    pub async fn backups(&self) -> Result<Vec<BackupSet>, BackupError> {
        let json = self.run("info", &["--output=json".to_owned()]).await?;
        parse_info(&json, &self.name)
    }
}

/// 48 random bytes, base64: the repository's passphrase.
fn new_key() -> Result<String, BackupError> {
    use base64::Engine as _;
    let mut bytes = [0u8; 48];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| BackupError::Setup(format!("no randomness for a key: {e}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The backups of `stanza` in `pgbackrest info --output=json`.
fn parse_info(json: &str, stanza: &str) -> Result<Vec<BackupSet>, BackupError> {
    let bad = |why: &str| BackupError::Setup(format!("pgbackrest info: {why}"));
    let all: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(&e.to_string()))?;
    let entry = all
        .as_array()
        .and_then(|a| a.iter().find(|s| s["name"] == stanza))
        .ok_or_else(|| bad("the stanza is not in the repository"))?;
    let sets = entry["backup"].as_array().cloned().unwrap_or_default();
    sets.iter()
        .map(|b| {
            Some(BackupSet {
                label: b["label"].as_str()?.to_owned(),
                kind: b["type"].as_str()?.to_owned(),
                started: b["timestamp"]["start"].as_u64()?,
                stopped: b["timestamp"]["stop"].as_u64()?,
                size: b["info"]["size"].as_u64()?,
                repo_size: b["info"]["repository"]["size"].as_u64().unwrap_or(0),
                wal: (
                    b["archive"]["start"].as_str()?.to_owned(),
                    b["archive"]["stop"].as_str()?.to_owned(),
                ),
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("a backup without label, type, times or WAL range"))
}

/// `path` is absent, or an empty directory.
pub fn is_empty_dir(path: &Path) -> bool {
    match std::fs::read_dir(path) {
        Ok(mut entries) => entries.next().is_none(),
        Err(_) => !path.exists(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_lists_the_backups_of_the_stanza() {
        let json = r#"[{"name":"other","backup":[]},{"name":"passa","backup":[
            {"label":"20261207-220612F","type":"full","timestamp":{"start":10,"stop":12},
             "info":{"size":23213906,"repository":{"size":3088384}},
             "archive":{"start":"000000010000000000000002","stop":"000000010000000000000003"}}]}]"#;
        let sets = parse_info(json, "passa").unwrap();
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].label, "20261207-220612F");
        assert_eq!((sets[0].started, sets[0].stopped), (10, 12));
        assert_eq!(sets[0].repo_size, 3_088_384);
        assert!(parse_info(json, "missing").is_err());
        assert!(parse_info("[{\"name\":\"passa\",\"backup\":[{}]}]", "passa").is_err());
        let now = UNIX_EPOCH + Duration::from_secs(72);
        assert_eq!(sets[0].age(now), Duration::from_secs(60));
    }
}
