//! The errors of the `passa` command: each library's, and the few of its own.
//!
//! Each variant's message is written for the person at the terminal: it says what failed, on
//! which database (URL with the password masked) and, where there is one, what to do next.
//! Underlying driver errors are kept as `source()`, so the binary can print the whole chain on
//! one line. No message ever contains a password.

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a `passa` command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database could not be reached, created, migrated or seeded.
    #[error(transparent)]
    Db(#[from] passa_db::Error),

    /// The connection reaches the wrong kind of server for the command.
    #[error(transparent)]
    Topology(#[from] passa_db::topology::TopologyError),

    /// A backup command failed.
    #[error(transparent)]
    Backup(#[from] passa_db::backup::BackupError),

    /// A network setting is unusable (mainnet without RPC URL, malformed URL).
    #[error(transparent)]
    Network(#[from] passa_stellar::network::NetworkError),

    /// No usable signing key.
    #[error(transparent)]
    Key(#[from] passa_stellar::keys::KeyError),

    /// The Stellar network refused or could not be reached.
    #[error(transparent)]
    Rpc(#[from] passa_stellar::rpc::RpcError),

    /// `passa deploy` stopped.
    #[error(transparent)]
    Deploy(#[from] passa_deploy::deploy::DeployError),

    /// A `passa contracts …` command failed.
    #[error(transparent)]
    Contracts(#[from] passa_deploy::contracts::ContractsError),

    /// `passa demo` stopped.
    #[error(transparent)]
    Demo(#[from] crate::demo::DemoError),

    /// The metrics endpoint could not listen.
    #[error("cannot serve metrics on {0}")]
    Metrics(std::net::SocketAddr, #[source] std::io::Error),

    /// `passa verify` could not read one side.
    #[error(transparent)]
    Verify(#[from] passa_sync::verify::VerifyError),

    /// `passa verify` found differences (listed on stdout).
    #[error("the mirror differs from the chain in {0} place(s) (listed above)")]
    Drift(usize),

    /// `scripts/build-contracts.sh` could not be run or failed.
    #[error("building the contracts failed: {0}")]
    Build(String),

    /// The local network failed to start or stopped.
    #[cfg(feature = "devnet")]
    #[error("devnet")]
    Devnet(#[from] passa_devnet::Error),

    /// A benchmark could not run to its end.
    #[cfg(feature = "devnet")]
    #[error("benchmark: {0}")]
    Bench(String),

    /// Waiting for Ctrl-C failed (no signal handler could be installed).
    #[cfg(feature = "devnet")]
    #[error("cannot wait for Ctrl-C")]
    Signal(#[source] std::io::Error),

    /// `passa sync` stopped.
    #[error(transparent)]
    Sync(#[from] passa_sync::SyncError),
}
