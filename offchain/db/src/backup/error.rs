//! Why a backup command stopped: one error type for every step (its own module, so the
//! steps' modules need nothing of `backup` itself).

use std::path::PathBuf;
use std::time::Duration;

/// Why a backup command stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// The stanza was never set up with `passa db backup init`.
    #[error("stanza \"{stanza}\" is not set up ({} is missing): run `passa db backup init`", file.display())]
    NotInitialised {
        /// The stanza.
        stanza: String,
        /// Its missing section.
        file: PathBuf,
    },
    /// The repository's key is gone.
    #[error(
        "the key of stanza \"{stanza}\"'s encrypted repository is missing ({}): restore it from \
         where you keep a copy of it; without it the backups cannot be read",
        file.display()
    )]
    KeyMissing {
        /// The stanza.
        stanza: String,
        /// Where the key should be.
        file: PathBuf,
    },
    /// The repository is gone or was never created.
    #[error(
        "the repository of stanza \"{stanza}\" is missing ({}/backup/{stanza}): mount it, or \
         run `passa db backup init` to create a new one",
        repo.display()
    )]
    RepositoryMissing {
        /// The stanza.
        stanza: String,
        /// Its repository.
        repo: PathBuf,
    },
    /// `init` and `mark` change server settings, which only a superuser may.
    #[error(
        "{what} needs a superuser connection, and \"{user}\" is not one (connect as postgres)"
    )]
    NotSuperuser {
        /// What was asked.
        what: &'static str,
        /// The connected role.
        user: String,
    },
    /// A restore into a directory that holds something.
    #[error(
        "the restore target {} is not empty: restore into a new or empty directory (a restore \
         never overwrites anything, least of all a running cluster)",
        .0.display()
    )]
    TargetNotEmpty(PathBuf),
    /// A restore to a time before any backup finished.
    #[error(
        "{target} is before the oldest backup ({oldest}): nothing can be restored to that time; \
         `passa db backup list` shows what the repository holds"
    )]
    TargetBeforeOldest {
        /// The target asked for.
        target: String,
        /// When the oldest backup became consistent.
        oldest: String,
    },
    /// A restore target that cannot be read.
    #[error("{0}")]
    BadTarget(String),
    /// The newest full backup is older than the policy allows.
    #[error(
        "the newest full backup of stanza \"{stanza}\" is {} h old, more than the {} h the \
         policy allows: run `passa db backup run --full` (and check the schedule)",
        age.as_secs() / 3600, max.as_secs() / 3600
    )]
    Stale {
        /// The stanza.
        stanza: String,
        /// The newest full backup's age.
        age: Duration,
        /// The policy.
        max: Duration,
    },
    /// No full backup at all.
    #[error("stanza \"{0}\" has no full backup: run `passa db backup run --full`")]
    NoFullBackup(String),
    /// A program failed.
    #[error("{what} failed (exit {}): {said}", status.map_or_else(|| "by signal".to_owned(), |s| s.to_string()))]
    Command {
        /// The program and what it was asked.
        what: String,
        /// Its exit status.
        status: Option<i32>,
        /// The end of what it said.
        said: String,
    },
    /// Something on the machine is not as needed.
    #[error("{0}")]
    Setup(String),
    /// A file or directory could not be read or written.
    #[error("{what}")]
    Io {
        /// What was being done.
        what: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A statement failed.
    #[error("{what}")]
    Sql {
        /// What was being done.
        what: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// A restore of the drill did not give back what it should have.
    #[error("drill: {0}")]
    Drill(String),
}

impl BackupError {
    pub(super) fn io(what: String, source: std::io::Error) -> Self {
        Self::Io { what, source }
    }

    pub(super) fn sql(what: String, source: sqlx::Error) -> Self {
        Self::Sql { what, source }
    }
}
