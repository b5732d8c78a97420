//! Why a proof of ownership was refused, each reason its own variant so that a caller (the
//! HTTP service, a test) can tell them apart and a user gets one clear sentence.

/// Why a signature, a message or a challenge was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WalletError {
    /// Not a Stellar account strkey (`G…`).
    #[error("\"{0}\" is not a Stellar account address (G…)")]
    BadAddress(String),
    /// A signature that is neither 64 bytes of base64 nor of hex.
    #[error("the signature is not 64 bytes in base64 or hex ({0})")]
    BadSignature(String),
    /// A well-formed signature that the address's key did not make over this message.
    #[error("the signature does not verify for {address}: not signed by its key, or over another message")]
    SignatureMismatch {
        /// The address.
        address: String,
    },
    /// A challenge transaction that cannot be read or is not shaped as SEP-10 says.
    #[error("not a SEP-10 challenge: {0}")]
    MalformedChallenge(String),
    /// Signed by another server (or tampered with after signing).
    #[error("the challenge was not signed by this server ({0}), or was altered after it was")]
    WrongServer(String),
    /// Signed for another network.
    #[error("the challenge is not for the network \"{0}\"")]
    WrongNetwork(String),
    /// For another home domain or web auth domain.
    #[error("the challenge is for {found}, not {expected}")]
    WrongDomain {
        /// What was expected.
        expected: String,
        /// What it says.
        found: String,
    },
    /// For another account.
    #[error("the challenge is for {found}, not {expected}")]
    WrongAccount {
        /// The account expected.
        expected: String,
        /// The account it names.
        found: String,
    },
    /// Not the nonce this challenge was issued with.
    #[error("the challenge's nonce is not the one issued")]
    WrongNonce,
    /// Outside its time bounds.
    #[error("the challenge expired (valid until {max_time}, now {now}): ask for a new one")]
    Expired {
        /// Its end, Unix seconds.
        max_time: u64,
        /// Now.
        now: u64,
    },
    /// Before its time bounds.
    #[error("the challenge is not valid before {min_time} (now {now})")]
    NotYetValid {
        /// Its start, Unix seconds.
        min_time: u64,
        /// Now.
        now: u64,
    },
    /// The OS gave no randomness for a nonce.
    #[error("no randomness for a nonce: {0}")]
    NoRandomness(String),
    /// The client's signatures do not carry the account's medium threshold.
    #[error(
        "the signatures carry weight {weight} of {address}, which needs {needed} (its medium \
         threshold): sign with enough of its signers"
    )]
    Underweighted {
        /// The account.
        address: String,
        /// Weight of the valid signatures.
        weight: u32,
        /// The account's medium threshold.
        needed: u32,
    },
}
