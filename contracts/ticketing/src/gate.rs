//! Check-in at the gate.

use soroban_sdk::{Address, Env};

use crate::errors::TicketingError;
use crate::events::CheckedIn;
use crate::lifecycle::is_gate_operator;
use crate::nft;
use crate::storage;
use crate::types::Stage;
use crate::types::{EventRecord, TicketStatus};
use passa_common::EventId;

/// Fails unless `operator` may check tickets in for the event.
///
/// # Errors
/// * [`TicketingError::NotGateOperator`]
fn ensure_operator(
    env: &Env,
    event_id: &EventId,
    event: &EventRecord,
    operator: &Address,
) -> Result<(), TicketingError> {
    if event.organizer == *operator || is_gate_operator(env, event_id, operator) {
        Ok(())
    } else {
        Err(TicketingError::NotGateOperator)
    }
}

/// Fails unless now is inside the event's `[start, end)` window and it is not cancelled.
///
/// # Errors
/// * [`TicketingError::EventCancelled`], [`TicketingError::OutsideEventWindow`]
fn ensure_doors_open(env: &Env, event: &EventRecord) -> Result<(), TicketingError> {
    if event.status == Stage::Cancelled {
        return Err(TicketingError::EventCancelled);
    }
    let now = passa_common::time::now(env);
    if now < event.start || now >= event.end {
        return Err(TicketingError::OutsideEventWindow);
    }
    Ok(())
}

/// Marks `token_id` used (the caller checked the operator's auth). Bumps the nonce, so any
/// listing or approval dies.
///
/// # Errors
/// * [`TicketingError::NonExistentToken`], [`TicketingError::TicketUsed`], and see
///   [`ensure_doors_open`], [`ensure_operator`].
pub fn check_in(env: &Env, operator: &Address, token_id: u32) -> Result<(), TicketingError> {
    let mut ticket = nft::live_ticket(env, token_id)?;
    if ticket.status == TicketStatus::Used {
        return Err(TicketingError::TicketUsed);
    }
    let event = storage::load_event(env, &ticket.event_id)?;
    ensure_doors_open(env, &event)?;
    ensure_operator(env, &ticket.event_id, &event, operator)?;
    ticket.status = TicketStatus::Used;
    ticket.nonce = ticket.nonce.wrapping_add(1);
    storage::save_ticket(env, token_id, &ticket);
    CheckedIn {
        event_id: ticket.event_id,
        token_id,
        operator: operator.clone(),
    }
    .publish(env);
    Ok(())
}
