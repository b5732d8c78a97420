//! The operating-system side of backups: running PostgreSQL's and pgBackRest's programs as
//! the OS user that owns the cluster's files, and handing that user the directories it writes.
//!
//! pgBackRest and the PostgreSQL server refuse to run as root, and must read and write the data
//! directory, so when `passa` runs as root (containers, CI) they run as `postgres` through
//! `runuser`; as any other user they run as that user.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::Command;

use super::error::BackupError;

/// Who the cluster's programs run as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunAs {
    /// `None`: this process's own user.
    pub user: Option<String>,
}

impl RunAs {
    /// `postgres` when this process is root, otherwise this process's user.
    pub fn default_for_this_process() -> Self {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        Self {
            user: root.then(|| "postgres".to_owned()),
        }
    }

    /// A command running `program` as this user.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = match &self.user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.arg("-u").arg(user).arg("--").arg(program);
                c
            }
            None => Command::new(program),
        };
        command.stdin(Stdio::null()).kill_on_drop(true);
        command
    }

    /// Makes `dir` (and missing parents) and gives it to this user, mode 700: a data
    /// directory, a repository and a key directory are nobody else's business.
    pub fn private_dir(&self, dir: &Path) -> Result<(), BackupError> {
        use std::os::unix::fs::PermissionsExt as _;
        let io = |e| BackupError::io(format!("creating {}", dir.display()), e);
        std::fs::create_dir_all(dir).map_err(io)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
        self.give(dir)
    }

    /// Writes `text` to `file`, mode 600, owned by this user.
    pub fn private_file(&self, file: &Path, text: &str) -> Result<(), BackupError> {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let io = |e| BackupError::io(format!("writing {}", file.display()), e);
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(file)
            .map_err(io)?;
        out.write_all(text.as_bytes()).map_err(io)?;
        out.sync_all().map_err(io)?;
        self.give(file)
    }

    /// Hands `path` to this user (a no-op when that is this process's user).
    fn give(&self, path: &Path) -> Result<(), BackupError> {
        let Some(user) = &self.user else {
            return Ok(());
        };
        let (uid, gid) = user_ids(user)?;
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .map_err(|e| BackupError::io(format!("giving {} to {user}", path.display()), e))
    }
}

/// The uid and gid of OS user `name`.
fn user_ids(name: &str) -> Result<(u32, u32), BackupError> {
    let passwd = std::fs::read_to_string("/etc/passwd")
        .map_err(|e| BackupError::io("reading /etc/passwd".to_owned(), e))?;
    passwd
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.len() > 3 && fields[0] == name)
                .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))?
        })
        .next()
        .ok_or_else(|| BackupError::Setup(format!("there is no OS user \"{name}\" (--os-user)")))
}

/// Runs `command`; its standard output on success, otherwise [`BackupError::Command`] with
/// what it printed on standard error (or output).
pub async fn run(what: &str, mut command: Command) -> Result<String, BackupError> {
    let output = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .map_err(|e| BackupError::io(format!("starting {what}"), e))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        return Ok(stdout);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let said = if stderr.trim().is_empty() {
        stdout.trim().to_owned()
    } else {
        stderr.trim().to_owned()
    };
    Err(BackupError::Command {
        what: what.to_owned(),
        status: output.status.code(),
        said: last_lines(&said, 6),
    })
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join(" / ")
}

/// The directory of PostgreSQL's programs (initdb, pg_ctl, pg_dump): `wanted` when given,
/// otherwise the newest `/usr/lib/postgresql/<major>/bin` (Debian's layout), otherwise the
/// directory `pg_config --bindir` names.
pub fn pg_bin(wanted: Option<&Path>) -> Result<PathBuf, BackupError> {
    if let Some(dir) = wanted {
        return if dir.join("pg_ctl").exists() {
            Ok(dir.to_owned())
        } else {
            Err(BackupError::Setup(format!(
                "{} has no pg_ctl (--pg-bin names PostgreSQL's bin directory)",
                dir.display()
            )))
        };
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_ctl").exists().then_some((major, bin))
        })
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Ok(bin);
    }
    let from_pg_config = std::process::Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    from_pg_config
        .filter(|dir| dir.join("pg_ctl").exists())
        .ok_or_else(|| {
            BackupError::Setup(
                "no PostgreSQL programs found (install postgresql, or give --pg-bin)".to_owned(),
            )
        })
}
