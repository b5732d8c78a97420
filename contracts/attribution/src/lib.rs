//! # passa-attribution
//!
//! Who contributed to an event and what share of its revenue they earn (DESIGN §3.2).
//!
//! Per event, one contribution per contributor: a kind ([`ContributionKind`]), a
//! [`Share`](passa_common::Share) (`Percentage(bps)` of the net pool, `Fixed(amount)`, or
//! `Commission(bps)` of each sale the contributor referred) and a status
//! (`Pending → Approved | Rejected`).
//!
//! ## Consent both ways
//! * the organizer [`propose`](contract::Attribution::propose)s and the contributor
//!   [`accept`](contract::Attribution::accept)s, or
//! * the contributor [`submit`](contract::Attribution::submit)s and the organizer
//!   [`approve`](contract::Attribution::approve)s;
//! * the party whose consent is awaited may [`reject`](contract::Attribution::reject).
//!
//! The organizer is whoever ticketing reports in `ticketing.event_ledger(event_id)`.
//!
//! ## Rules
//! * Seed rule: the `Percentage` shares of an event, pending + approved, never exceed 100 %
//!   (10 000 bps); checked on every write against running totals.
//! * Running totals per event ([`EventTotals`](types::EventTotals)): pending and approved
//!   percentage bps, Σ approved fixed amounts, number of approved contributions. No call
//!   iterates over contributors.
//! * Approving a `Commission(bps)` share calls `ticketing.set_referral_rate(event_id,
//!   contributor, bps)` so that ticketing credits the commission on each referred sale.
//! * `lock(event_id)` (revenue only, at settlement) freezes the event for good and returns the
//!   approved totals.
//! * Whether a contribution was *paid* is revenue's business (its `claimed` events and
//!   `claimed(event_id, payee)` getter); attribution keeps consent and shares.
//!
//! ## Errors
//! [`AttributionError`](errors::AttributionError); codes 1–5 are the shared
//! [`CommonError`](passa_common::CommonError) codes.
#![no_std]

pub mod contract;
pub mod errors;
pub mod events;
mod logic;
pub mod storage;
pub mod types;

#[cfg(test)]
extern crate std;
#[cfg(test)]
mod test;

pub use contract::{Attribution, AttributionClient};
pub use errors::AttributionError;
pub use types::{Contribution, ContributionKind, ContributionStatus, EventTotals, Initiator};
