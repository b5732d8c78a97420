//! Refunds after a cancellation (or during a postponement of a refundable event).
//!
//! Ticketing burns the ticket, books the refund and reverses the ticket's referral commission
//! in its own storage first, then asks the revenue contract to pay the holder from the event's
//! escrow (`revenue.pay_refund(event_id, token, holder, amount)`, which requires this
//! contract's auth; the token is passed because revenue cannot call back into ticketing).

use passa_common::call;
use soroban_sdk::{Address, Env, IntoVal};

use crate::errors::TicketingError;
use crate::events::{Burn, Refunded};
use crate::math::sub;
use crate::nft;
use crate::storage::{self, key};
use crate::types::{EventRecord, Stage, Ticket, TicketStatus};

/// Fails unless refunds are open for the event now.
///
/// # Errors
/// * [`TicketingError::RefundNotAllowed`], [`TicketingError::RefundWindowClosed`]
fn ensure_refundable(env: &Env, event: &EventRecord) -> Result<(), TicketingError> {
    let now = passa_common::time::now(env);
    let open = match event.status {
        Stage::Cancelled => true,
        Stage::Postponed => event.refundable,
        _ => false,
    };
    if !open {
        return Err(TicketingError::RefundNotAllowed);
    }
    if now > event.refund_deadline {
        return Err(TicketingError::RefundWindowClosed);
    }
    Ok(())
}

/// Reverses the commission `ticket` earned its referrer, on the referrer and on the tier.
///
/// # Errors
/// * [`TicketingError::Overflow`]
fn reverse_commission(
    env: &Env,
    ticket: &Ticket,
    tier_commissions: &mut i128,
) -> Result<(), TicketingError> {
    let Some(referrer) = &ticket.referrer else {
        return Ok(());
    };
    let key = key::commission(env, ticket.event_id.clone(), referrer.clone());
    let owed: i128 = storage::peek(env, &key).unwrap_or(0);
    storage::save(env, &key, &sub(owed, ticket.commission)?);
    *tier_commissions = sub(*tier_commissions, ticket.commission)?;
    Ok(())
}

/// Refunds and burns `token_id` held by `holder` (the caller checked pause and the holder's
/// auth); returns the amount paid back (the face value).
///
/// # Errors
/// * [`TicketingError::NonExistentToken`], [`TicketingError::IncorrectOwner`],
///   [`TicketingError::TicketUsed`], [`TicketingError::RefundPaymentFailed`] (revenue refused
///   or failed), and see [`ensure_refundable`].
pub fn refund(env: &Env, holder: &Address, token_id: u32) -> Result<i128, TicketingError> {
    let mut ticket = nft::live_ticket(env, token_id)?;
    nft::ensure_ticket_movable(&ticket, holder)?;
    let event = storage::load_event(env, &ticket.event_id)?;
    ensure_refundable(env, &event)?;

    let mut tier = storage::peek_tier(env, &ticket.event_id, ticket.tier)?;
    tier.refunds = crate::math::add(tier.refunds, ticket.face)?;
    reverse_commission(env, &ticket, &mut tier.commissions)?;
    storage::save_tier(env, &ticket.event_id, ticket.tier, &tier);

    ticket.status = TicketStatus::Refunded;
    ticket.nonce = ticket.nonce.wrapping_add(1);
    storage::save_ticket(env, token_id, &ticket);
    storage::sub_balance(env, holder)?;
    Burn {
        from: holder.clone(),
        token_id,
    }
    .publish(env);
    Refunded {
        event_id: ticket.event_id.clone(),
        holder: holder.clone(),
        token_id,
        amount: ticket.face,
        commission_reversed: ticket.commission,
    }
    .publish(env);
    if ticket.face > 0 {
        // revenue.pay_refund(event_id, token, holder, amount); requires this contract's auth.
        let args = (&ticket.event_id, &event.payment_token, holder, ticket.face).into_val(env);
        let paid = call::try_call::<()>(env, &storage::revenue(env), "pay_refund", args);
        if paid.is_none() {
            return Err(TicketingError::RefundPaymentFailed);
        }
    }
    Ok(ticket.face)
}
