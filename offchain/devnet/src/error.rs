//! Errors of the devnet. Failures a client caused (bad envelope, bad signature, …) are not
//! errors here: they are transaction results (see [`crate::tx`]) or JSON-RPC errors (see
//! [`crate::rpc`]). This type is for what goes wrong inside the node.
use soroban_env_host::xdr;

/// Something inside the devnet failed; the message says where.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An XDR value could not be encoded or decoded.
    #[error("XDR {what}: {source}")]
    Xdr {
        what: &'static str,
        #[source]
        source: xdr::Error,
    },
    /// The Soroban host refused an operation on the node's own state.
    #[error("soroban host, {what}: {source:?}")]
    Host {
        what: &'static str,
        source: soroban_env_host::HostError,
    },
    /// soroban-simulation failed (it only does when the ledger is misconfigured).
    #[error("simulation, {what}: {message}")]
    Simulation { what: &'static str, message: String },
    /// The ledger lacks something it must hold (a config setting, the root account, …).
    #[error("ledger state: {0}")]
    State(String),
    /// Reading or writing the state directory failed.
    #[error("state directory {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The state directory holds something this version cannot read.
    #[error("state file {path}: {message}")]
    Corrupt {
        path: std::path::PathBuf,
        message: String,
    },
    /// The HTTP server could not listen on its address (in use, …).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// The node thread could not be started.
    #[error("cannot start the node thread: {0}")]
    Thread(#[source] std::io::Error),
    /// The devnet has no authentication, so it serves loopback addresses only.
    #[error("refusing to listen on {0}: the devnet serves loopback addresses only")]
    NotLoopback(std::net::SocketAddr),
    /// A benchmark could not run to its end (see [`crate::bench`]).
    #[error("benchmark: {0}")]
    Bench(String),
    /// The node thread is gone (it stopped or panicked).
    #[error("the devnet node has stopped")]
    Stopped,
}

/// Result with the devnet's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attaches "what was being done" to XDR errors: `x.to_xdr(..).xdr("encoding entry")`.
pub(crate) trait XdrContext<T> {
    fn xdr(self, what: &'static str) -> Result<T>;
}

impl<T> XdrContext<T> for std::result::Result<T, xdr::Error> {
    fn xdr(self, what: &'static str) -> Result<T> {
        self.map_err(|source| Error::Xdr { what, source })
    }
}

/// Attaches context to host errors.
pub(crate) trait HostContext<T> {
    fn host(self, what: &'static str) -> Result<T>;
}

impl<T> HostContext<T> for std::result::Result<T, soroban_env_host::HostError> {
    fn host(self, what: &'static str) -> Result<T> {
        self.map_err(|source| Error::Host { what, source })
    }
}
