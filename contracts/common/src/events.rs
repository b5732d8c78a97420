//! Events emitted by the shared helpers. Every contract that wires the helpers emits these,
//! with the contract's own address as the event's contract id.

use soroban_sdk::{contractevent, Address, BytesN};

/// The admin proposed a new admin (step one of two).
///
/// Topics: `["admin_transfer_started", current: Address]`; data: `{ pending: Address }`.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AdminTransferStarted {
    #[topic]
    pub current: Address,
    pub pending: Address,
}

/// The pending admin accepted; it is now the admin (step two of two).
///
/// Topics: `["admin_transferred", previous: Address]`; data: `{ new_admin: Address }`.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AdminTransferred {
    #[topic]
    pub previous: Address,
    pub new_admin: Address,
}

/// The admin paused the contract.
///
/// Topics: `["paused"]`; data: `{ admin: Address }`.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Paused {
    pub admin: Address,
}

/// The admin unpaused the contract.
///
/// Topics: `["unpaused"]`; data: `{ admin: Address }`.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Unpaused {
    pub admin: Address,
}

/// The admin replaced the contract's code.
///
/// Topics: `["upgraded"]`; data: `{ wasm_hash: BytesN<32> }`.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Upgraded {
    pub wasm_hash: BytesN<32>,
}
