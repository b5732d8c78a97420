//! Revenue's own contract types.

use soroban_sdk::{contracttype, Address};

/// Deployment configuration (instance storage).
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Config {
    pub ticketing: Address,
    pub attribution: Address,
    /// Receives the platform fee at settlement.
    pub treasury: Address,
    /// Platform fee, bps of net.
    pub platform_fee_bps: u32,
    /// Settling an event whose net exceeds this also needs the admin's auth.
    pub high_value_threshold: i128,
}

/// An event's frozen settlement plus the progress of its claims (persistent, key
/// `Settlement(event_id)`). See the crate documentation for the formulas.
#[contracttype]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Settlement {
    pub organizer: Address,
    pub token: Address,
    /// gross_sales + royalties − refunds.
    pub net: i128,
    /// Platform fee, paid to the treasury at settlement.
    pub fee: i128,
    /// net − fee.
    pub pool: i128,
    /// Σ referral commissions owed (from ticketing).
    pub commissions: i128,
    /// Σ approved fixed amounts (from attribution).
    pub fixed_total: i128,
    /// Σ approved percentage bps (from attribution).
    pub percentage_bps: u32,
    /// What percentage shares are taken of (0 when scaled).
    pub pct_pool: i128,
    /// Whether commissions + fixed exceeded the pool and were scaled pro rata.
    pub scaled: bool,
    /// Number of approved contributors (payees other than the organizer).
    pub payees: u32,
    /// The most the payees can be paid in total.
    pub payees_allocation: i128,
    /// The organizer's remainder before dust.
    pub organizer_base: i128,
    /// Ledger timestamp of the settlement.
    pub settled_at: u64,
    /// Payees paid so far (count).
    pub payees_claimed: u32,
    /// Σ paid to payees so far.
    pub paid_to_payees: i128,
    /// Σ paid to the organizer so far.
    pub organizer_paid: i128,
}
