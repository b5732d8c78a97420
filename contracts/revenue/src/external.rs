//! Clients of the contracts revenue calls.

use passa_common::{AttributionTotals, EventId, EventLedger, Share};
use soroban_sdk::{contractclient, Address, Env};

/// The part of the ticketing contract revenue reads.
#[allow(dead_code)]
#[contractclient(name = "TicketingClient")]
pub trait TicketingInterface {
    fn event_ledger(env: Env, event_id: EventId) -> EventLedger;
    fn referral_commission(env: Env, event_id: EventId, referrer: Address) -> i128;
}

/// The part of the attribution contract revenue calls.
#[allow(dead_code)]
#[contractclient(name = "AttributionClient")]
pub trait AttributionInterface {
    fn lock(env: Env, event_id: EventId) -> AttributionTotals;
    fn approved_share(env: Env, event_id: EventId, contributor: Address) -> Option<Share>;
}
