//! Organizers, create_event validation, postpone, cancel, gate operators, event_ledger.

use super::*;
use crate::events::{
    EventCancelled, EventCreated, EventPostponed, GateOperatorRemoved, GateOperatorSet,
};
use crate::storage::REFUND_WINDOW_SECS;
use crate::TicketingError as E;
use passa_common::EventStatus;
use soroban_sdk::IntoVal;

#[test]
fn create_event_publishes_and_stores() {
    let s = Setup::new();
    let config = s.config();
    let e = event_id(&s.env, 1);
    s.client.create_event(&s.organizer, &e, &config);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&EventCreated {
            event_id: e.clone(),
            organizer: s.organizer.clone(),
            payment_token: s.token.address.clone(),
            tiers: config.tiers.clone(),
            capacity: GA_SUPPLY + VIP_SUPPLY,
            sales_start: T0,
            sales_end: START,
            start: START,
            end: END,
            transferable: true,
            resaleable: true,
            refundable: true,
            resale_cap_bps: 11_000,
            royalty_bps: 500,
            metadata_uri: config.metadata_uri.clone(),
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &s.organizer,
            "create_event",
            (s.organizer.clone(), e.clone(), config.clone()).into_val(&s.env)
        )]
    );
    let record = s.client.get_event(&e);
    assert_eq!(record.organizer, s.organizer);
    assert_eq!(record.tier_count, 2);
    assert_eq!(record.status, crate::types::Stage::Published);
    assert_eq!(s.tier(&e, 1).code, symbol_short!("VIP"));
    assert_eq!(s.tier(&e, 1).supply, VIP_SUPPLY);
    assert_eq!(s.client.event_ledger(&e).status, EventStatus::Published);
    assert_eq!(
        s.client.try_create_event(&s.organizer, &e, &config),
        Err(Ok(E::EventExists))
    );
}

/// `event_created` carries the config's ticket terms as given, not the defaults.
#[test]
fn event_created_carries_the_ticket_terms() {
    let s = Setup::new();
    let mut config = s.config();
    config.transferable = true;
    config.resaleable = false;
    config.refundable = false;
    config.resale_cap_bps = 12_500;
    config.royalty_bps = 0;
    config.metadata_uri = String::from_str(&s.env, "ipfs://terms");
    let e = event_id(&s.env, 2);
    s.client.create_event(&s.organizer, &e, &config);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&EventCreated {
            event_id: e.clone(),
            organizer: s.organizer.clone(),
            payment_token: s.token.address.clone(),
            tiers: config.tiers.clone(),
            capacity: GA_SUPPLY + VIP_SUPPLY,
            sales_start: T0,
            sales_end: START,
            start: START,
            end: END,
            transferable: true,
            resaleable: false,
            refundable: false,
            resale_cap_bps: 12_500,
            royalty_bps: 0,
            metadata_uri: String::from_str(&s.env, "ipfs://terms"),
        })]
    );
}

#[test]
fn unverified_organizer_cannot_publish() {
    let s = Setup::new();
    let stranger = Address::generate(&s.env);
    let mut config = s.config();
    config.metadata_uri = String::from_str(&s.env, "x");
    assert_eq!(
        s.client
            .try_create_event(&stranger, &event_id(&s.env, 1), &config),
        Err(Ok(E::OrganizerNotVerified))
    );
    // Revoked organizers cannot either.
    s.client.revoke_organizer(&s.organizer);
    assert_eq!(
        s.client
            .try_create_event(&s.organizer, &event_id(&s.env, 1), &config),
        Err(Ok(E::OrganizerNotVerified))
    );
}

#[test]
fn create_event_needs_the_organizers_signature() {
    let s = Setup::new();
    let e = event_id(&s.env, 1);
    let config = s.config();
    let args: Vec<Val> = (s.organizer.clone(), e.clone(), config.clone()).into_val(&s.env);
    refused(&s, &s.admin, "create_event", args);
    assert_eq!(s.client.try_get_event(&e), Err(Ok(E::EventNotFound)));
}

fn rejects(s: &Setup, config: &EventConfig, error: E) {
    assert_eq!(
        s.client
            .try_create_event(&s.organizer, &event_id(&s.env, 42), config),
        Err(Ok(error))
    );
}

#[test]
fn create_event_validates_tiers() {
    let s = Setup::new();
    let mut c = s.config();
    c.tiers = Vec::new(&s.env);
    rejects(&s, &c, E::InvalidTierCount);

    let mut c = s.config();
    let tier = c.tiers.get(0).unwrap();
    for _ in 0..15 {
        c.tiers.push_back(TierConfig {
            code: Symbol::new(&s.env, "X"),
            ..tier.clone()
        });
    }
    rejects(&s, &c, E::InvalidTierCount);

    let mut c = s.config();
    c.tiers.set(
        1,
        TierConfig {
            code: symbol_short!("GA"),
            ..tier.clone()
        },
    );
    rejects(&s, &c, E::DuplicateTierCode);

    for bad in [
        TierConfig {
            price: -1,
            ..tier.clone()
        },
        TierConfig {
            supply: 0,
            ..tier.clone()
        },
        TierConfig {
            max_per_wallet: 0,
            ..tier.clone()
        },
    ] {
        let mut c = s.config();
        c.tiers.set(0, bad);
        rejects(&s, &c, E::InvalidTier);
    }
}

#[test]
fn create_event_validates_schedule_and_terms() {
    let s = Setup::new();
    let base = s.config();
    for (sales_start, sales_end, start, end) in [
        (T0, START, END, END),            // end == start
        (T0, START, END, START),          // end < start
        (START, START, START, END),       // empty sales window
        (T0, END + 1, START, END),        // sales past the end
        (T0 - 100, T0 - 50, T0 - 20, T0), // already over
    ] {
        let c = EventConfig {
            sales_start,
            sales_end,
            start,
            end,
            ..base.clone()
        };
        rejects(&s, &c, E::InvalidSchedule);
    }
    rejects(
        &s,
        &EventConfig {
            resale_cap_bps: 9_999,
            ..base.clone()
        },
        E::InvalidResaleCap,
    );
    rejects(
        &s,
        &EventConfig {
            royalty_bps: 10_001,
            ..base.clone()
        },
        E::InvalidBps,
    );
    rejects(
        &s,
        &EventConfig {
            metadata_uri: String::from_str(&s.env, ""),
            ..base.clone()
        },
        E::InvalidMetadataUri,
    );
    let long = [b'a'; 257];
    rejects(
        &s,
        &EventConfig {
            metadata_uri: String::from_bytes(&s.env, &long),
            ..base.clone()
        },
        E::InvalidMetadataUri,
    );
    // Boundaries that are fine: cap exactly 100 %, royalty exactly 100 %.
    let ok = EventConfig {
        resale_cap_bps: 10_000,
        royalty_bps: 10_000,
        ..base
    };
    s.create_with(1, &ok);
}

#[test]
fn postpone_moves_the_window_and_opens_refunds() {
    let s = Setup::new();
    let e = s.create(1);
    let (new_start, new_end) = (START + 7 * 86_400, END + 7 * 86_400);
    s.client
        .postpone_event(&s.organizer, &e, &new_start, &new_end);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&EventPostponed {
            event_id: e.clone(),
            start: new_start,
            end: new_end,
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &s.organizer,
            "postpone_event",
            (s.organizer.clone(), e.clone(), new_start, new_end).into_val(&s.env)
        )]
    );
    let ledger = s.client.event_ledger(&e);
    assert_eq!(ledger.status, EventStatus::Postponed);
    assert_eq!((ledger.start, ledger.end), (new_start, new_end));
    assert_eq!(ledger.refund_deadline, new_start);
    // After the new end the event is completed.
    s.set_time(new_end);
    assert_eq!(s.client.event_ledger(&e).status, EventStatus::Completed);
}

#[test]
fn postpone_validates() {
    let s = Setup::new();
    let e = s.create(1);
    for (a, b) in [
        (START + 10, START + 10), // empty
        (START - 1, END + 10),    // earlier start
        (START + 10, END - 1),    // earlier end
    ] {
        assert_eq!(
            s.client.try_postpone_event(&s.organizer, &e, &a, &b),
            Err(Ok(E::InvalidPostponement))
        );
    }
    let stranger = Address::generate(&s.env);
    assert_eq!(
        s.client
            .try_postpone_event(&stranger, &e, &(START + 1), &(END + 1)),
        Err(Ok(E::NotOrganizer))
    );
    assert_eq!(
        s.client
            .try_postpone_event(&s.organizer, &event_id(&s.env, 9), &(START + 1), &(END + 1)),
        Err(Ok(E::EventNotFound))
    );
    s.set_time(END);
    assert_eq!(
        s.client
            .try_postpone_event(&s.organizer, &e, &(END + 10), &(END + 20)),
        Err(Ok(E::EventEnded))
    );
}

#[test]
fn postpone_needs_the_organizers_signature() {
    let s = Setup::new();
    let e = s.create(1);
    let args: Vec<Val> = (s.organizer.clone(), e.clone(), START + 1, END + 1).into_val(&s.env);
    refused(&s, &s.admin, "postpone_event", args);
}

#[test]
fn cancel_event_stops_everything_and_opens_refunds() {
    let s = Setup::new();
    let e = s.create(1);
    s.client.cancel_event(&s.organizer, &e);
    let deadline = T0 + REFUND_WINDOW_SECS;
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&EventCancelled {
            event_id: e.clone(),
            refund_deadline: deadline,
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &s.organizer,
            "cancel_event",
            (s.organizer.clone(), e.clone()).into_val(&s.env)
        )]
    );
    let ledger = s.client.event_ledger(&e);
    assert_eq!(ledger.status, EventStatus::Cancelled);
    assert_eq!(ledger.refund_deadline, deadline);
    assert_eq!(
        s.client.try_cancel_event(&s.organizer, &e),
        Err(Ok(E::AlreadyCancelled))
    );
    assert_eq!(
        s.client
            .try_postpone_event(&s.organizer, &e, &(START + 1), &(END + 1)),
        Err(Ok(E::AlreadyCancelled))
    );
    // Cancelled stays cancelled after the end.
    s.set_time(END + 1);
    assert_eq!(s.client.event_ledger(&e).status, EventStatus::Cancelled);
}

#[test]
fn cancel_event_checks_organizer_and_time() {
    let s = Setup::new();
    let e = s.create(1);
    let stranger = Address::generate(&s.env);
    assert_eq!(
        s.client.try_cancel_event(&stranger, &e),
        Err(Ok(E::NotOrganizer))
    );
    let args: Vec<Val> = (s.organizer.clone(), e.clone()).into_val(&s.env);
    refused(&s, &stranger, "cancel_event", args);
    s.set_time(END);
    assert_eq!(
        s.client.try_cancel_event(&s.organizer, &e),
        Err(Ok(E::EventEnded))
    );
}

#[test]
fn gate_operators_are_set_and_removed_by_the_organizer() {
    let s = Setup::new();
    let e = s.create(1);
    let operator = Address::generate(&s.env);
    s.client.set_gate_operator(&s.organizer, &e, &operator);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&GateOperatorSet {
            event_id: e.clone(),
            operator: operator.clone(),
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &s.organizer,
            "set_gate_operator",
            (s.organizer.clone(), e.clone(), operator.clone()).into_val(&s.env)
        )]
    );
    assert!(s.is_gate(&e, &operator));

    s.client.remove_gate_operator(&s.organizer, &e, &operator);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&GateOperatorRemoved {
            event_id: e.clone(),
            operator: operator.clone(),
        })]
    );
    assert!(!s.is_gate(&e, &operator));
    assert_eq!(
        s.client
            .try_remove_gate_operator(&s.organizer, &e, &operator),
        Err(Ok(E::NotGateOperator))
    );
    assert_eq!(
        s.client.try_set_gate_operator(&operator, &e, &operator),
        Err(Ok(E::NotOrganizer))
    );
}

#[test]
fn gate_operator_changes_need_the_organizers_signature() {
    let s = Setup::new();
    let e = s.create(1);
    let operator = Address::generate(&s.env);
    let args: Vec<Val> = (s.organizer.clone(), e.clone(), operator.clone()).into_val(&s.env);
    refused(&s, &operator, "set_gate_operator", args.clone());
    s.client.set_gate_operator(&s.organizer, &e, &operator);
    refused(&s, &operator, "remove_gate_operator", args);
    assert!(s.is_gate(&e, &operator));
}

#[test]
fn event_ledger_sums_the_tiers() {
    let s = Setup::new();
    let e = s.create(1);
    s.client.purchase(&s.wallet(), &e, &0, &s.ids(2), &2, &None);
    s.client.purchase(&s.wallet(), &e, &1, &s.ids(1), &1, &None);
    let ledger = s.client.event_ledger(&e);
    assert_eq!(ledger.organizer, s.organizer);
    assert_eq!(ledger.payment_token, s.token.address);
    assert_eq!(ledger.status, EventStatus::Published);
    assert_eq!(ledger.gross_sales, 2 * GA_PRICE + VIP_PRICE);
    assert_eq!(
        (ledger.royalties, ledger.refunds, ledger.commissions),
        (0, 0, 0)
    );
    assert_eq!(ledger.refund_deadline, 0);
    assert_eq!(
        s.client.try_event_ledger(&event_id(&s.env, 3)),
        Err(Ok(E::EventNotFound))
    );
    s.set_time(END);
    assert_eq!(s.client.event_ledger(&e).status, EventStatus::Completed);
}
