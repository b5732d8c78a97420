//! Types the three contracts exchange (see `contracts/INTERFACES.md`).

use soroban_sdk::{contracttype, Address, BytesN};

/// An event's id: the event's UUID in the database (16 bytes), shared by chain and mirror.
pub type EventId = BytesN<16>;

/// 100 % in basis points.
pub const BPS_DENOMINATOR: u32 = 10_000;

/// Lifecycle of an event as ticketing reports it. `Completed` is derived from `now ≥ end`.
#[contracttype]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
pub enum EventStatus {
    Published,
    Postponed,
    Cancelled,
    Completed,
}

/// What ticketing knows about an event's money, read by revenue and attribution
/// through `ticketing.event_ledger(event_id)`.
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct EventLedger {
    /// The event's organizer.
    pub organizer: Address,
    /// The SEP-41 token the event is paid in.
    pub payment_token: Address,
    pub status: EventStatus,
    /// Start and end, ledger timestamps (seconds).
    pub start: u64,
    pub end: u64,
    /// For a cancelled event: the time after which refunds stop and settlement may happen.
    pub refund_deadline: u64,
    /// Σ price × quantity of every purchase.
    pub gross_sales: i128,
    /// Σ resale royalties paid into the escrow.
    pub royalties: i128,
    /// Σ face value refunded.
    pub refunds: i128,
    /// Σ referral commission owed to approved referrers (net of refunded tickets).
    pub commissions: i128,
}

/// A contributor's share of an event's revenue.
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum Share {
    /// Basis points of the event's percentage pool.
    Percentage(u32),
    /// A fixed amount in raw token units.
    Fixed(i128),
    /// Basis points of each sale the contributor referred.
    Commission(u32),
}

/// Sums of an event's *approved* contributions, frozen by `attribution.lock`.
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AttributionTotals {
    /// Σ approved `Fixed` amounts.
    pub fixed_total: i128,
    /// Σ approved `Percentage` basis points (≤ 10 000).
    pub percentage_bps: u32,
    /// Number of approved contributions (every share kind): the payees revenue waits for
    /// before the organizer's final claim sweeps the rounding dust.
    pub contributors: u32,
}
