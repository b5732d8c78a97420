//! Settlement and claim arithmetic, one small function per step. All money arithmetic is
//! checked; every division floors (amounts are non-negative).

use passa_common::call::{transfer, try_call};
use passa_common::{admin, AttributionTotals, EventId, EventLedger, EventStatus, Share};
use soroban_sdk::{Address, Env, IntoVal};

use crate::errors::RevenueError;
use crate::events::{Claimed, RefundPaid, Settled};
use crate::storage;
use crate::types::{Config, Settlement};

const BPS: i128 = passa_common::BPS_DENOMINATOR as i128;

fn add(a: i128, b: i128) -> Result<i128, RevenueError> {
    a.checked_add(b).ok_or(RevenueError::Overflow)
}

fn sub(a: i128, b: i128) -> Result<i128, RevenueError> {
    a.checked_sub(b).ok_or(RevenueError::Overflow)
}

/// ⌊a × b / c⌋ for non-negative a, b and positive c (truncated toward zero in general), with
/// a 256-bit intermediate product so it never overflows.
///
/// Computed in the guest: the host's `I256` links seven more host functions (each ~6.5k
/// instructions on *every* call of the contract, for instantiation) and i128 `/` links
/// compiler-builtins' 128-bit division (~1.2 KB); this is a 64-bit division when everything
/// fits, else a 128-step shift-subtract (~10k instructions, only for huge amounts).
///
/// # Errors
/// * [`RevenueError::Overflow`] - `c` is 0 or the quotient does not fit i128.
pub(crate) fn mul_div(a: i128, b: i128, c: i128) -> Result<i128, RevenueError> {
    if c == 0 {
        return Err(RevenueError::Overflow);
    }
    let negative = (a < 0) ^ (b < 0) ^ (c < 0);
    let (hi, lo) = mul_wide(a.unsigned_abs(), b.unsigned_abs());
    let q = div_wide(hi, lo, c.unsigned_abs()).ok_or(RevenueError::Overflow)?;
    let q = i128::try_from(q).map_err(|_| RevenueError::Overflow)?;
    Ok(if negative { -q } else { q })
}

const LOW64: u128 = u64::MAX as u128;

/// The 256-bit product `a × b` as `(high, low)` 128-bit halves.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    let (a1, a0) = (a >> 64, a & LOW64);
    let (b1, b0) = (b >> 64, b & LOW64);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    // each partial product < 2^128; the middle sum < 3 × 2^64
    let mid = (p00 >> 64) + (p01 & LOW64) + (p10 & LOW64);
    let lo = (p00 & LOW64) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (hi, lo)
}

/// `(hi × 2^128 + lo) / d` for `d > 0`; `None` when the quotient needs more than 128 bits.
fn div_wide(hi: u128, lo: u128, d: u128) -> Option<u128> {
    if hi >= d {
        return None;
    }
    if hi == 0 && lo <= LOW64 && d <= LOW64 {
        return Some(((lo as u64) / (d as u64)) as u128);
    }
    // Long division, one bit at a time; `rem < d` holds at the top of every step.
    let mut rem = hi;
    let mut q: u128 = 0;
    for i in (0..128).rev() {
        let carry = rem >> 127;
        rem = (rem << 1) | ((lo >> i) & 1);
        q <<= 1;
        if carry == 1 || rem >= d {
            rem = rem.wrapping_sub(d);
            q |= 1;
        }
    }
    Some(q)
}

/// Pays `amount` of `token` from the escrow to `to` (nothing for 0).
///
/// # Errors
/// * [`RevenueError::CallFailed`] - the token refused the transfer.
fn pay(env: &Env, token: &Address, to: &Address, amount: i128) -> Result<(), RevenueError> {
    if amount > 0 && !transfer(env, token, &env.current_contract_address(), to, amount) {
        return Err(RevenueError::CallFailed);
    }
    Ok(())
}

// ---- refunds ---------------------------------------------------------------------------------

/// Pays a refund from the escrow (ticketing has authorized).
///
/// # Errors
/// * [`RevenueError::InvalidAmount`], [`RevenueError::AlreadySettled`],
///   [`RevenueError::Overflow`]
pub fn pay_refund(
    env: &Env,
    event_id: &EventId,
    token: &Address,
    holder: &Address,
    amount: i128,
) -> Result<(), RevenueError> {
    if amount <= 0 {
        return Err(RevenueError::InvalidAmount);
    }
    if storage::settlement(env, event_id).is_some() {
        return Err(RevenueError::AlreadySettled);
    }
    let total = add(storage::refunds(env, event_id), amount)?;
    storage::set_refunds(env, event_id, total);
    pay(env, token, holder, amount)?;
    RefundPaid {
        event_id: event_id.clone(),
        holder: holder.clone(),
        token: token.clone(),
        amount,
    }
    .publish(env);
    Ok(())
}

// ---- settlement ------------------------------------------------------------------------------

/// The event's ledger from ticketing.
///
/// # Errors
/// * [`RevenueError::EventNotFound`]
fn event_ledger(
    env: &Env,
    config: &Config,
    event_id: &EventId,
) -> Result<EventLedger, RevenueError> {
    let args = (event_id,).into_val(env);
    try_call(env, &config.ticketing, "event_ledger", args).ok_or(RevenueError::EventNotFound)
}

/// Fails unless the event ended, or was cancelled and its refund window closed.
///
/// # Errors
/// * [`RevenueError::EventNotOver`]
fn ensure_over(env: &Env, ledger: &EventLedger) -> Result<(), RevenueError> {
    let over = match ledger.status {
        EventStatus::Completed => true,
        EventStatus::Cancelled => passa_common::time::now(env) > ledger.refund_deadline,
        _ => false,
    };
    if over {
        Ok(())
    } else {
        Err(RevenueError::EventNotOver)
    }
}

/// net = gross + royalties − refunds, cross-checking ticketing's refunds with the escrow's.
///
/// # Errors
/// * [`RevenueError::AccountingMismatch`], [`RevenueError::Overflow`]
fn net(env: &Env, event_id: &EventId, ledger: &EventLedger) -> Result<i128, RevenueError> {
    if storage::refunds(env, event_id) != ledger.refunds {
        return Err(RevenueError::AccountingMismatch);
    }
    let net = sub(add(ledger.gross_sales, ledger.royalties)?, ledger.refunds)?;
    if net < 0 || ledger.commissions < 0 {
        return Err(RevenueError::AccountingMismatch);
    }
    Ok(net)
}

/// Freezes the numbers (see the crate documentation for the formulas).
///
/// # Errors
/// * [`RevenueError::Overflow`]
pub fn freeze(
    env: &Env,
    ledger: &EventLedger,
    net: i128,
    fee_bps: u32,
    totals: &AttributionTotals,
) -> Result<Settlement, RevenueError> {
    let fee = mul_div(net, fee_bps as i128, BPS)?;
    let pool = sub(net, fee)?;
    let committed = add(ledger.commissions, totals.fixed_total)?;
    let scaled = committed > pool;
    let (pct_pool, payees_allocation) = if scaled {
        (0, pool)
    } else {
        let pct_pool = sub(pool, committed)?;
        let pct = mul_div(pct_pool, totals.percentage_bps as i128, BPS)?;
        (pct_pool, add(committed, pct)?)
    };
    Ok(Settlement {
        organizer: ledger.organizer.clone(),
        token: ledger.payment_token.clone(),
        net,
        fee,
        pool,
        commissions: ledger.commissions,
        fixed_total: totals.fixed_total,
        percentage_bps: totals.percentage_bps,
        pct_pool,
        scaled,
        payees: totals.contributors,
        payees_allocation,
        organizer_base: sub(pool, payees_allocation)?,
        settled_at: passa_common::time::now(env),
        payees_claimed: 0,
        paid_to_payees: 0,
        organizer_paid: 0,
    })
}

/// Settles an event: checks, authorizations, attribution lock, fee payment.
///
/// # Errors
/// * [`RevenueError::AlreadySettled`], [`RevenueError::EventNotFound`],
///   [`RevenueError::EventNotOver`], [`RevenueError::AccountingMismatch`],
///   [`RevenueError::Overflow`]; host `Error(Auth, …)` for a missing signature.
///
/// # Events
/// * [`Settled`]
pub fn settle(env: &Env, event_id: &EventId) -> Result<Settlement, RevenueError> {
    if storage::settlement(env, event_id).is_some() {
        return Err(RevenueError::AlreadySettled);
    }
    let config = storage::config(env);
    let ledger = event_ledger(env, &config, event_id)?;
    ledger.organizer.require_auth();
    ensure_over(env, &ledger)?;
    let net = net(env, event_id, &ledger)?;
    if net > config.high_value_threshold {
        admin::require_admin(env)?;
    }
    let args = (event_id,).into_val(env);
    let totals: AttributionTotals =
        try_call(env, &config.attribution, "lock", args).ok_or(RevenueError::CallFailed)?;
    let st = freeze(env, &ledger, net, config.platform_fee_bps, &totals)?;
    storage::set_settlement(env, event_id, &st);
    pay(env, &st.token, &config.treasury, st.fee)?;
    Settled {
        event_id: event_id.clone(),
        organizer: st.organizer.clone(),
        token: st.token.clone(),
        treasury: config.treasury,
        net: st.net,
        fee: st.fee,
        pool: st.pool,
        commissions: st.commissions,
        fixed_total: st.fixed_total,
        percentage_bps: st.percentage_bps,
        pct_pool: st.pct_pool,
        scaled: st.scaled,
        payees: st.payees,
        organizer_base: st.organizer_base,
    }
    .publish(env);
    Ok(st)
}

// ---- claims ----------------------------------------------------------------------------------

/// The event's settlement.
///
/// # Errors
/// * [`RevenueError::NotSettled`]
pub fn settled(env: &Env, event_id: &EventId) -> Result<Settlement, RevenueError> {
    storage::settlement(env, event_id).ok_or(RevenueError::NotSettled)
}

/// What the organizer may claim now: its remainder, plus the dust once every contributor has
/// claimed, minus what it already received.
///
/// # Errors
/// * [`RevenueError::Overflow`]
pub fn organizer_due(st: &Settlement) -> Result<i128, RevenueError> {
    let mut due = st.organizer_base;
    if st.payees_claimed == st.payees {
        due = add(due, sub(st.payees_allocation, st.paid_to_payees)?)?;
    }
    sub(due, st.organizer_paid)
}

/// A contributor's amount from the frozen settlement and its own share.
///
/// # Errors
/// * [`RevenueError::Overflow`]
fn share_amount(
    env: &Env,
    st: &Settlement,
    event_id: &EventId,
    payee: &Address,
    share: &Share,
) -> Result<i128, RevenueError> {
    let owed = match share {
        Share::Percentage(bps) => {
            return if st.scaled {
                Ok(0)
            } else {
                mul_div(st.pct_pool, *bps as i128, BPS)
            };
        }
        Share::Fixed(amount) => *amount,
        Share::Commission(_) => {
            let ticketing = storage::config(env).ticketing;
            let args = (event_id, payee).into_val(env);
            try_call(env, &ticketing, "referral_commission", args)
                .ok_or(RevenueError::CallFailed)?
        }
    };
    if st.scaled {
        mul_div(owed, st.pool, add(st.commissions, st.fixed_total)?)
    } else {
        Ok(owed)
    }
}

/// What `payee` would receive from a claim now (without recording anything).
///
/// # Errors
/// * [`RevenueError::AlreadyClaimed`], [`RevenueError::NotAPayee`],
///   [`RevenueError::NothingToClaim`] (organizer), [`RevenueError::Overflow`]
pub fn due(
    env: &Env,
    st: &Settlement,
    event_id: &EventId,
    payee: &Address,
) -> Result<i128, RevenueError> {
    if *payee == st.organizer {
        let due = organizer_due(st)?;
        return if due > 0 {
            Ok(due)
        } else {
            Err(RevenueError::NothingToClaim)
        };
    }
    if storage::paid(env, event_id, payee).is_some() {
        return Err(RevenueError::AlreadyClaimed);
    }
    let attribution = storage::config(env).attribution;
    let args = (event_id, payee).into_val(env);
    let share: Option<Share> =
        try_call(env, &attribution, "approved_share", args).ok_or(RevenueError::CallFailed)?;
    let share = share.ok_or(RevenueError::NotAPayee)?;
    share_amount(env, st, event_id, payee, &share)
}

/// Records a claim in `st` (the caller saves it) and the payee's `Paid` entry; returns the
/// amount and the payee's total. The caller pays and emits.
///
/// # Errors
/// * as [`due`], plus [`RevenueError::AccountingMismatch`] if the payees would exceed their
///   allocation.
fn record(
    env: &Env,
    st: &mut Settlement,
    event_id: &EventId,
    payee: &Address,
) -> Result<(i128, i128), RevenueError> {
    let amount = due(env, st, event_id, payee)?;
    if *payee == st.organizer {
        st.organizer_paid = add(st.organizer_paid, amount)?;
        return Ok((amount, st.organizer_paid));
    }
    let paid = add(st.paid_to_payees, amount)?;
    if paid > st.payees_allocation {
        return Err(RevenueError::AccountingMismatch);
    }
    st.paid_to_payees = paid;
    st.payees_claimed = st
        .payees_claimed
        .checked_add(1)
        .ok_or(RevenueError::Overflow)?;
    storage::set_paid(env, event_id, payee, amount);
    Ok((amount, amount))
}

/// Claims for one payee within an already loaded settlement: records, pays, emits.
///
/// # Errors
/// * as [`record`].
///
/// # Events
/// * [`Claimed`]
pub fn claim_in(
    env: &Env,
    st: &mut Settlement,
    event_id: &EventId,
    payee: &Address,
) -> Result<i128, RevenueError> {
    let (amount, total_paid) = record(env, st, event_id, payee)?;
    pay(env, &st.token, payee, amount)?;
    Claimed {
        event_id: event_id.clone(),
        payee: payee.clone(),
        amount,
        total_paid,
    }
    .publish(env);
    Ok(amount)
}
