//! Which Stellar network a command talks to: its name (as stored in the database), its RPC
//! URL, its passphrase (whose SHA-256 is the network id every signature commits to) and its
//! friendbot, if it has one.
//!
//! Networks are chosen by name (`--network local|testnet|mainnet`); the RPC URL and passphrase
//! can be overridden by flag or by `STELLAR_RPC_URL` / `STELLAR_NETWORK_PASSPHRASE`. Mainnet has
//! no default RPC server: the operator names the provider they trust.

use sha2::{Digest, Sha256};

/// The passphrase of `passa devnet` (and of stellar-core's standalone mode).
pub const LOCAL_PASSPHRASE: &str = "Standalone Network ; February 2017";
/// Stellar's public test network.
pub const TESTNET_PASSPHRASE: &str = "Test SDF Network ; September 2015";
/// Stellar's public network.
pub const MAINNET_PASSPHRASE: &str = "Public Global Stellar Network ; September 2015";

/// Where `passa devnet` listens unless told otherwise.
pub const LOCAL_RPC_URL: &str = "http://127.0.0.1:8000/";
/// SDF's public testnet RPC server.
pub const TESTNET_RPC_URL: &str = "https://soroban-testnet.stellar.org/";
/// SDF's testnet friendbot.
pub const TESTNET_FRIENDBOT_URL: &str = "https://friendbot.stellar.org/";

/// The networks Passa deploys to. The names are the values of the database's `network`
/// columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum NetworkName {
    /// `passa devnet` on this machine.
    Local,
    /// Stellar's public test network.
    Testnet,
    /// Stellar's public network (real money).
    Mainnet,
}

impl NetworkName {
    /// The name as stored in the database and shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkName::Local => "local",
            NetworkName::Testnet => "testnet",
            NetworkName::Mainnet => "mainnet",
        }
    }
}

impl std::fmt::Display for NetworkName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A network setting that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// Mainnet was chosen without an RPC URL.
    #[error(
        "mainnet has no default RPC server: pass --rpc-url (or set STELLAR_RPC_URL) to the \
         provider you use"
    )]
    MainnetNeedsRpcUrl,
    /// The RPC URL does not parse or is not http(s).
    #[error("invalid RPC URL \"{url}\": {reason}")]
    InvalidRpcUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A network, resolved: everything a client needs to reach it and sign for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// Its name.
    pub name: NetworkName,
    /// The Stellar RPC endpoint.
    pub rpc_url: String,
    /// The passphrase; the network id is its SHA-256.
    pub passphrase: String,
    /// The friendbot, when the network has one and it is known before asking the server.
    pub friendbot_url: Option<String>,
}

impl Network {
    /// Resolves `name` with optional overrides of its RPC URL and passphrase.
    ///
    /// # Errors
    /// [`NetworkError::MainnetNeedsRpcUrl`] for mainnet without a URL,
    /// [`NetworkError::InvalidRpcUrl`] for a URL that is not http(s).
    pub fn resolve(
        name: NetworkName,
        rpc_url: Option<&str>,
        passphrase: Option<&str>,
    ) -> Result<Self, NetworkError> {
        let (default_url, default_passphrase, friendbot_url) = match name {
            NetworkName::Local => (Some(LOCAL_RPC_URL), LOCAL_PASSPHRASE, None),
            NetworkName::Testnet => (
                Some(TESTNET_RPC_URL),
                TESTNET_PASSPHRASE,
                Some(TESTNET_FRIENDBOT_URL.to_owned()),
            ),
            NetworkName::Mainnet => (None, MAINNET_PASSPHRASE, None),
        };
        let rpc_url = match rpc_url.filter(|u| !u.is_empty()) {
            Some(url) => url,
            None => default_url.ok_or(NetworkError::MainnetNeedsRpcUrl)?,
        };
        validate_rpc_url(rpc_url)?;
        Ok(Self {
            name,
            rpc_url: rpc_url.to_owned(),
            passphrase: passphrase
                .filter(|p| !p.is_empty())
                .unwrap_or(default_passphrase)
                .to_owned(),
            friendbot_url,
        })
    }

    /// The network id: SHA-256 of the passphrase.
    pub fn id(&self) -> [u8; 32] {
        Sha256::digest(self.passphrase.as_bytes()).into()
    }
}

fn validate_rpc_url(url: &str) -> Result<(), NetworkError> {
    let invalid = |reason: String| NetworkError::InvalidRpcUrl {
        url: url.to_owned(),
        reason,
    };
    let parsed = url::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    match parsed.scheme() {
        "http" | "https" => {}
        other => return Err(invalid(format!("scheme \"{other}\" is not http or https"))),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_per_network() {
        let local = Network::resolve(NetworkName::Local, None, None).unwrap();
        assert_eq!(local.rpc_url, LOCAL_RPC_URL);
        assert_eq!(local.passphrase, LOCAL_PASSPHRASE);
        let testnet = Network::resolve(NetworkName::Testnet, None, None).unwrap();
        assert_eq!(testnet.passphrase, TESTNET_PASSPHRASE);
        assert_eq!(
            testnet.friendbot_url.as_deref(),
            Some(TESTNET_FRIENDBOT_URL)
        );
        assert!(matches!(
            Network::resolve(NetworkName::Mainnet, None, None),
            Err(NetworkError::MainnetNeedsRpcUrl)
        ));
        let mainnet =
            Network::resolve(NetworkName::Mainnet, Some("https://rpc.example"), None).unwrap();
        assert_eq!(mainnet.passphrase, MAINNET_PASSPHRASE);
    }

    #[test]
    fn overrides_and_bad_urls() {
        let n = Network::resolve(
            NetworkName::Local,
            Some("http://127.0.0.1:9000"),
            Some("Other ; 2024"),
        )
        .unwrap();
        assert_eq!(n.rpc_url, "http://127.0.0.1:9000");
        assert_eq!(n.passphrase, "Other ; 2024");
        for bad in ["ftp://x", "not a url", "http://"] {
            assert!(
                matches!(
                    Network::resolve(NetworkName::Local, Some(bad), None),
                    Err(NetworkError::InvalidRpcUrl { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn network_id_is_the_passphrase_hash() {
        let n = Network::resolve(NetworkName::Testnet, None, None).unwrap();
        assert_eq!(
            hex::encode(n.id()),
            "cee0302d59844d32bdca915c8203dd44b33fbb7edc19051ea37abedf28ecd472"
        );
    }
}
