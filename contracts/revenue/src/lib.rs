//! # passa-revenue
//!
//! The escrow of every event's money, its settlement and the payees' claims (DESIGN §3.3,
//! `contracts/INTERFACES.md`).
//!
//! ## Escrow
//! Buyers pay ticketing's `purchase` straight to this contract's address; ticketing keeps the
//! event's running totals (gross sales, royalties, refunds, commissions) in its own event
//! entry, so `purchase` makes no call here. This contract keeps per event only Σ refunds paid
//! ([`refunds_paid`](contract::Revenue::refunds_paid)), then the frozen
//! [`Settlement`](types::Settlement) and one entry per paid payee. Refunds are paid by
//! [`pay_refund`](contract::Revenue::pay_refund), which only ticketing may call, and never
//! after settlement.
//!
//! ## Settlement: order and rounding
//! [`settle`](contract::Revenue::settle) (the organizer; plus the admin when `net` exceeds the
//! high-value threshold — seed rule *multi-signature for high-value operations*) reads
//! `ticketing.event_ledger`, locks attribution (`attribution.lock` → Σ fixed, Σ percentage bps,
//! number of approved contributors) and freezes, all amounts floored:
//!
//! 1. `net = gross_sales + royalties − refunds`
//! 2. `fee = ⌊net × platform_fee_bps / 10 000⌋`, paid to the treasury at once
//! 3. `pool = net − fee`; `committed = commissions + fixed_total`
//! 4. if `committed ≤ pool` (not scaled): each commission payee is owed its commission
//!    (`ticketing.referral_commission`), each fixed payee its amount;
//!    `pct_pool = pool − committed`; each percentage payee is owed
//!    `⌊pct_pool × bps / 10 000⌋`.
//!    `payees_allocation = committed + ⌊pct_pool × Σbps / 10 000⌋`.
//! 5. if `committed > pool` (scaled): each commission / fixed payee is owed
//!    `⌊amount × pool / committed⌋`; percentage payees get nothing;
//!    `payees_allocation = pool`.
//! 6. `organizer_base = pool − payees_allocation` (the organizer's remainder).
//!
//! ## Claims (pull)
//! [`claim`](contract::Revenue::claim)`(event_id, payee)` may be triggered by anyone; the funds
//! always go to `payee`. A contributor's amount is computed from the frozen settlement and its
//! own approved share only, so `settle` and `claim` cost the same for 3 or 3 000 contributors.
//! A contributor is paid once (a `Paid(event, payee)` entry; a second claim fails with
//! `AlreadyClaimed`, a claim of 0 still records the payee as paid).
//!
//! **Dust.** Σ of the floored per-payee amounts can fall short of `payees_allocation` by less
//! than one unit per payee. The organizer may claim `organizer_base` at any time after
//! settlement; once *every* approved contributor has claimed (counted, not iterated:
//! `payees_claimed == payees`), the organizer's next claim also sweeps
//! `payees_allocation − paid_to_payees`. So, in the end, Σ paid + fee = net exactly.
//! [`distribute`](contract::Revenue::distribute) claims for up to [`MAX_DISTRIBUTE`] payees in
//! one call.
//!
//! ## Errors
//! [`RevenueError`](errors::RevenueError); codes 1–5 are the shared
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

pub use contract::{Revenue, RevenueClient};
pub use errors::RevenueError;
pub use types::{Config, Settlement};

/// Maximum number of payees in one [`distribute`](contract::Revenue::distribute) call.
///
/// Each payee costs a cross-contract read of its share (and, for a commission, of its
/// commission), one `Paid` entry written and one token balance written: a batch writes
/// 2 + 2 × payees entries. The network's per-transaction limits (protocol 23: 50 entries
/// written, 100 entries read, 100 M instructions) would allow 24 payees; 10 keeps every limit
/// with a wide margin (22 writes, ~9 M instructions; the cost report measures it and asserts
/// at most a half of the write limit and a fifth of the instruction limit).
pub const MAX_DISTRIBUTE: u32 = 10;
