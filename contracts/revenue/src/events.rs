//! Events of the revenue contract (one per state change). The admin, pause and upgrade events
//! are `passa_common::events`; token movements also emit the token's own SEP-41 events.

use passa_common::EventId;
use soroban_sdk::{contractevent, Address};

/// Ticketing had the escrow pay a refund.
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct RefundPaid {
    #[topic]
    pub event_id: EventId,
    #[topic]
    pub holder: Address,
    pub token: Address,
    pub amount: i128,
}

/// The event was settled; its pool is frozen (fields as in `Settlement`).
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Settled {
    #[topic]
    pub event_id: EventId,
    pub organizer: Address,
    pub token: Address,
    pub treasury: Address,
    pub net: i128,
    pub fee: i128,
    pub pool: i128,
    pub commissions: i128,
    pub fixed_total: i128,
    pub percentage_bps: u32,
    pub pct_pool: i128,
    pub scaled: bool,
    pub payees: u32,
    pub organizer_base: i128,
}

/// A payee was paid (`amount` may be 0 for a contributor whose share came to nothing).
#[contractevent(sparse = false)]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Claimed {
    #[topic]
    pub event_id: EventId,
    #[topic]
    pub payee: Address,
    pub amount: i128,
    /// Σ paid to this payee for the event, this claim included.
    pub total_paid: i128,
}
