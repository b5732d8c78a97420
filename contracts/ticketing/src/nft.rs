//! SEP-50 mechanics: ownership, movement rules, approvals.
//!
//! A ticket moves only while it is `Purchased` (not used, not refunded), its event is
//! transferable, not cancelled and not over. Every move bumps the ticket's nonce, which voids
//! its approval and listing without touching their temporary entries.

use passa_common::EventStatus;
use soroban_sdk::{Address, Env, Val};

use crate::errors::TicketingError;
use crate::events::{Approve, ApproveForAll, Transfer};
use crate::storage::{self, key, MAX_APPROVAL_LEDGERS};
use crate::types::{Approval, EventRecord, Ticket, TicketStatus};

/// Loads a live (not refunded) ticket.
///
/// # Errors
/// * [`TicketingError::NonExistentToken`] - never minted, or refunded (burned).
pub fn live_ticket(env: &Env, token_id: u32) -> Result<Ticket, TicketingError> {
    let ticket = storage::peek_ticket(env, token_id)?;
    if ticket.status == TicketStatus::Refunded {
        return Err(TicketingError::NonExistentToken);
    }
    Ok(ticket)
}

/// Fails unless tickets of `event` may move now.
///
/// # Errors
/// * [`TicketingError::NotTransferable`], [`TicketingError::EventCancelled`],
///   [`TicketingError::EventEnded`]
pub fn ensure_event_movable(env: &Env, event: &EventRecord) -> Result<(), TicketingError> {
    if !event.transferable {
        return Err(TicketingError::NotTransferable);
    }
    match event.status_at(passa_common::time::now(env)) {
        EventStatus::Cancelled => Err(TicketingError::EventCancelled),
        EventStatus::Completed => Err(TicketingError::EventEnded),
        _ => Ok(()),
    }
}

/// Fails unless `ticket` itself may move (held by `from`, not used).
///
/// # Errors
/// * [`TicketingError::IncorrectOwner`], [`TicketingError::TicketUsed`]
pub fn ensure_ticket_movable(ticket: &Ticket, from: &Address) -> Result<(), TicketingError> {
    if ticket.owner != *from {
        return Err(TicketingError::IncorrectOwner);
    }
    if ticket.status == TicketStatus::Used {
        return Err(TicketingError::TicketUsed);
    }
    Ok(())
}

/// Checks every movement rule for `token_id` held by `from`; returns the ticket.
///
/// # Errors
/// See [`live_ticket`], [`ensure_ticket_movable`], [`ensure_event_movable`].
pub fn movable_ticket(env: &Env, from: &Address, token_id: u32) -> Result<Ticket, TicketingError> {
    let ticket = live_ticket(env, token_id)?;
    ensure_ticket_movable(&ticket, from)?;
    let event = storage::load_event(env, &ticket.event_id)?;
    ensure_event_movable(env, &event)?;
    Ok(ticket)
}

/// Moves a ticket whose rules were checked: owner, nonce, both balances, SEP-50 `transfer`.
///
/// # Errors
/// * [`TicketingError::Overflow`] - a balance out of range (cannot happen).
pub fn move_ticket(
    env: &Env,
    mut ticket: Ticket,
    to: &Address,
    token_id: u32,
) -> Result<(), TicketingError> {
    let from = ticket.owner.clone();
    ticket.owner = to.clone();
    ticket.nonce = ticket.nonce.wrapping_add(1);
    storage::save_ticket(env, token_id, &ticket);
    storage::sub_balance(env, &from)?;
    storage::add_balance(env, to, 1)?;
    Transfer {
        from,
        to: to.clone(),
        token_id,
    }
    .publish(env);
    Ok(())
}

/// Whether `operator` may manage every ticket of `owner` now.
pub fn is_operator(env: &Env, owner: &Address, operator: &Address) -> bool {
    let key = key::approval_for_all(env, owner.clone(), operator.clone());
    match env.storage().temporary().get::<_, u32>(&key) {
        Some(live_until) => live_until >= env.ledger().sequence(),
        None => false,
    }
}

/// The address approved for `ticket` (token `token_id`) now, if any.
pub fn approved_for(env: &Env, ticket: &Ticket, token_id: u32) -> Option<Address> {
    let approval: Approval = env
        .storage()
        .temporary()
        .get(&key::approval(env, token_id))?;
    if approval.nonce == ticket.nonce && approval.live_until_ledger >= env.ledger().sequence() {
        Some(approval.approved)
    } else {
        None
    }
}

/// Fails unless `spender` may move `ticket` for its owner.
///
/// # Errors
/// * [`TicketingError::InsufficientApproval`]
pub fn ensure_spender(
    env: &Env,
    spender: &Address,
    ticket: &Ticket,
    token_id: u32,
) -> Result<(), TicketingError> {
    if *spender == ticket.owner
        || approved_for(env, ticket, token_id).as_ref() == Some(spender)
        || is_operator(env, &ticket.owner, spender)
    {
        Ok(())
    } else {
        Err(TicketingError::InsufficientApproval)
    }
}

/// Validates a `live_until_ledger` for an approval and returns the TTL to give its entry
/// (`None`: the approval is being revoked).
///
/// # Errors
/// * [`TicketingError::InvalidLiveUntilLedger`] - in the past, or more than
///   [`MAX_APPROVAL_LEDGERS`] ahead.
pub fn approval_ttl(env: &Env, live_until_ledger: u32) -> Result<Option<u32>, TicketingError> {
    if live_until_ledger == 0 {
        return Ok(None);
    }
    let now = env.ledger().sequence();
    if live_until_ledger < now || live_until_ledger - now > MAX_APPROVAL_LEDGERS {
        return Err(TicketingError::InvalidLiveUntilLedger);
    }
    Ok(Some(live_until_ledger - now))
}

/// SEP-50 `approve`: `approver` (owner or operator) lets `approved` move `token_id`.
///
/// # Errors
/// * [`TicketingError::NonExistentToken`], [`TicketingError::InvalidApprover`],
///   [`TicketingError::InvalidLiveUntilLedger`]
pub fn approve(
    env: &Env,
    approver: &Address,
    approved: &Address,
    token_id: u32,
    live_until_ledger: u32,
) -> Result<(), TicketingError> {
    let ticket = live_ticket(env, token_id)?;
    if *approver != ticket.owner && !is_operator(env, &ticket.owner, approver) {
        return Err(TicketingError::InvalidApprover);
    }
    let key: Val = key::approval(env, token_id);
    match approval_ttl(env, live_until_ledger)? {
        None => env.storage().temporary().remove(&key),
        Some(ttl) => {
            let approval = Approval {
                approved: approved.clone(),
                live_until_ledger,
                nonce: ticket.nonce,
            };
            env.storage().temporary().set(&key, &approval);
            env.storage().temporary().extend_ttl(&key, ttl, ttl);
        }
    }
    Approve {
        approver: approver.clone(),
        token_id,
        approved: approved.clone(),
        live_until_ledger,
    }
    .publish(env);
    Ok(())
}

/// SEP-50 `approve_for_all`: `owner` lets `operator` manage all its tickets.
///
/// # Errors
/// * [`TicketingError::InvalidLiveUntilLedger`]
pub fn approve_for_all(
    env: &Env,
    owner: &Address,
    operator: &Address,
    live_until_ledger: u32,
) -> Result<(), TicketingError> {
    let key: Val = key::approval_for_all(env, owner.clone(), operator.clone());
    match approval_ttl(env, live_until_ledger)? {
        None => env.storage().temporary().remove(&key),
        Some(ttl) => {
            env.storage().temporary().set(&key, &live_until_ledger);
            env.storage().temporary().extend_ttl(&key, ttl, ttl);
        }
    }
    ApproveForAll {
        owner: owner.clone(),
        operator: operator.clone(),
        live_until_ledger,
    }
    .publish(env);
    Ok(())
}
