//! The read-only getters wallets and auditors use (`passa verify`): event status, tiers, gate
//! operators, tickets, the pause flag. None of them needs a signature or changes anything.

use super::*;
use crate::types::{Stage, TicketStatus};
use crate::TicketingError as E;
use passa_common::EventStatus;

#[test]
fn event_status_follows_the_event() {
    let s = Setup::new();
    let e = s.create(1);
    let c = s.create(2);
    assert_eq!(s.client.event_status(&e), EventStatus::Published);
    s.client.cancel_event(&s.organizer, &c);
    assert_eq!(s.client.event_status(&c), EventStatus::Cancelled);
    assert_eq!(s.client.get_event(&e).status, Stage::Published);
    s.client
        .postpone_event(&s.organizer, &e, &(START + 100), &(END + 100));
    assert_eq!(s.client.event_status(&e), EventStatus::Postponed);
    s.set_time(END + 100);
    assert_eq!(s.client.event_status(&e), EventStatus::Completed);
    // the stored stage does not change with time; the status is derived
    assert_eq!(s.client.get_event(&e).status, Stage::Postponed);
    // cancelled stays cancelled after the end
    assert_eq!(s.client.event_status(&c), EventStatus::Cancelled);
    assert_eq!(
        s.client.try_event_status(&event_id(&s.env, 9)),
        Err(Ok(E::EventNotFound))
    );
    assert!(s.env.auths().is_empty());
}

#[test]
fn tier_reports_config_sales_and_money() {
    let s = Setup::new();
    let e = s.create(1);
    let buyer = s.wallet();
    s.buy(&buyer, &e, 2);
    let tier = s.client.tier(&e, &0);
    assert_eq!(tier.code, symbol_short!("GA"));
    assert_eq!(
        (tier.price, tier.supply, tier.max_per_wallet, tier.sold),
        (GA_PRICE, GA_SUPPLY, GA_MAX, 2)
    );
    assert_eq!(tier.gross_sales, 2 * GA_PRICE);
    assert_eq!((tier.royalties, tier.refunds, tier.commissions), (0, 0, 0));
    assert_eq!(s.client.tier_sold(&e, &0), 2);
    assert_eq!(s.client.tier(&e, &1).sold, 0);
    assert_eq!(s.client.try_tier(&e, &2), Err(Ok(E::TierNotFound)));
    assert_eq!(s.client.try_tier_sold(&e, &2), Err(Ok(E::TierNotFound)));
}

#[test]
fn gate_operator_and_verification_reads() {
    let s = Setup::new();
    let e = s.create(1);
    let operator = Address::generate(&s.env);
    assert!(!s.client.is_gate_operator(&e, &operator));
    s.client.set_gate_operator(&s.organizer, &e, &operator);
    assert!(s.client.is_gate_operator(&e, &operator));
    // per event
    assert!(!s.client.is_gate_operator(&event_id(&s.env, 2), &operator));
    // the organizer checks in without being a gate operator
    assert!(!s.client.is_gate_operator(&e, &s.organizer));
    assert!(s.client.is_verified_organizer(&s.organizer));
    assert!(!s.client.is_verified_organizer(&operator));
}

#[test]
fn ticket_reports_owner_event_tier_face_and_status() {
    let s = Setup::new();
    let e = s.create(1);
    let buyer = s.wallet();
    let ids = s.client.purchase(&buyer, &e, &1, &s.ids(1), &1, &None);
    let id = ids.get(0).unwrap();
    let t = s.client.ticket(&id);
    assert_eq!(t.owner, buyer);
    assert_eq!(t.event_id, e);
    assert_eq!(
        (t.tier, t.face, t.status),
        (1, VIP_PRICE, TicketStatus::Purchased)
    );
    assert_eq!(s.client.owner_of(&id), buyer);
    s.client.list(&buyer, &id, &VIP_PRICE);
    assert_eq!(s.client.ticket(&id).status, TicketStatus::Listed);
    assert_eq!(s.client.try_ticket(&99), Err(Ok(E::NonExistentToken)));
}

#[test]
fn paused_reads_the_flag() {
    let s = Setup::new();
    assert!(!s.client.paused());
    s.client.pause();
    assert!(s.client.paused());
    // getters keep working while paused
    assert!(s.client.is_verified_organizer(&s.organizer));
    s.client.unpause();
    assert!(!s.client.paused());
}
