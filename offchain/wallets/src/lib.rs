//! `passa-wallets`: proof that a user controls a Stellar address, before the mirror credits
//! that user with what the address holds on chain.
//!
//! - [`sep53`]: SEP-53 signed messages (what Freighter's `signMessage` and Stellar Wallets Kit
//!   return): ed25519 over SHA-256 of `"Stellar Signed Message:\n" + message`;
//! - [`sep10`]: SEP-10 challenge transactions, for wallets that can only sign transactions
//!   (Ledger, Trezor): built and signed by the server, signed back by the account's signers,
//!   checked against the account's thresholds.

pub mod error;
pub mod sep10;
pub mod sep53;

pub use error::WalletError;
