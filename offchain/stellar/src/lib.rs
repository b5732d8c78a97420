//! `passa-stellar`: everything Passa needs to talk to a Stellar network, and nothing about the
//! database.
//!
//! - [`network`]: which network (local, testnet, mainnet), its RPC URL and passphrase;
//! - [`keys`]: signing keys from the environment, key files or stellar CLI identities, and
//!   strkeys (`G…`, `C…`) to and from XDR addresses;
//! - [`rpc`]: Stellar RPC — ledger entries and a transaction's life (simulate, sign, send,
//!   wait);
//! - [`scval`]: contract values (`ScVal`) as the Passa contracts encode them.

pub mod keys;
pub mod network;
pub mod rpc;
pub mod scval;
