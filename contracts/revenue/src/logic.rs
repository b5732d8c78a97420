//! Settlement and claim arithmetic, one small function per step. All money arithmetic is
//! checked; every division floors (amounts are non-negative).

use passa_common::call::{transfer, try_call};
use passa_common::{admin, AttributionTotals, EventId, EventLedger, EventStatus, Share};
use soroban_sdk::{Address, Env, IntoVal, I256};

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

/// ⌊a × b / c⌋ for non-negative a, b and positive c, computed by the host in 256 bits (no
/// overflow in the product; keeps 128-bit division code out of the wasm).
///
/// # Errors
/// * [`RevenueError::Overflow`] - the quotient does not fit i128.
fn mul_div(env: &Env, a: i128, b: i128, c: i128) -> Result<i128, RevenueError> {
    let wide = |v: i128| I256::from_i128(env, v);
    wide(a)
        .mul(&wide(b))
        .div(&wide(c))
        .to_i128()
        .ok_or(RevenueError::Overflow)
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
    let fee = mul_div(env, net, fee_bps as i128, BPS)?;
    let pool = sub(net, fee)?;
    let committed = add(ledger.commissions, totals.fixed_total)?;
    let scaled = committed > pool;
    let (pct_pool, payees_allocation) = if scaled {
        (0, pool)
    } else {
        let pct_pool = sub(pool, committed)?;
        let pct = mul_div(env, pct_pool, totals.percentage_bps as i128, BPS)?;
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
                mul_div(env, st.pct_pool, *bps as i128, BPS)
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
        mul_div(env, owed, st.pool, add(st.commissions, st.fixed_total)?)
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
