//! check_in.

use super::*;
use crate::events::CheckedIn;
use crate::types::TicketStatus;
use crate::TicketingError as E;
use soroban_sdk::IntoVal;

#[test]
fn organizer_and_gate_operators_check_in_inside_the_window() {
    let s = Setup::new();
    let e = s.create(1);
    let holder = s.wallet();
    s.buy(&holder, &e, 2);
    let operator = Address::generate(&s.env);
    s.client.set_gate_operator(&s.organizer, &e, &operator);
    s.set_time(START);

    s.client.check_in(&operator, &1);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&CheckedIn {
            event_id: e.clone(),
            token_id: 1,
            operator: operator.clone(),
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &operator,
            "check_in",
            (operator.clone(), 1u32).into_val(&s.env)
        )]
    );
    assert_eq!(s.client.ticket(&1).status, TicketStatus::Used);
    assert_eq!(s.client.owner_of(&1), holder);
    assert_eq!(s.client.try_check_in(&operator, &1), Err(Ok(E::TicketUsed)));

    s.client.check_in(&s.organizer, &2);
    assert_eq!(s.client.ticket(&2).status, TicketStatus::Used);
}

#[test]
fn check_in_refusals() {
    let s = Setup::new();
    let e = s.create(1);
    let holder = s.wallet();
    s.buy(&holder, &e, 2);
    let stranger = Address::generate(&s.env);
    // Before the start, after the end.
    assert_eq!(
        s.client.try_check_in(&s.organizer, &1),
        Err(Ok(E::OutsideEventWindow))
    );
    s.set_time(END);
    assert_eq!(
        s.client.try_check_in(&s.organizer, &1),
        Err(Ok(E::OutsideEventWindow))
    );
    s.set_time(START + 1);
    assert_eq!(
        s.client.try_check_in(&stranger, &1),
        Err(Ok(E::NotGateOperator))
    );
    assert_eq!(
        s.client.try_check_in(&holder, &1),
        Err(Ok(E::NotGateOperator))
    );
    assert_eq!(
        s.client.try_check_in(&s.organizer, &9),
        Err(Ok(E::NonExistentToken))
    );
    // A removed operator can no longer check in.
    s.client.set_gate_operator(&s.organizer, &e, &stranger);
    s.client.remove_gate_operator(&s.organizer, &e, &stranger);
    assert_eq!(
        s.client.try_check_in(&stranger, &1),
        Err(Ok(E::NotGateOperator))
    );
    // Signed by someone else than the operator named.
    refused(
        &s,
        &stranger,
        "check_in",
        (s.organizer.clone(), 1u32).into_val(&s.env),
    );
    assert_eq!(s.client.ticket(&1).status, TicketStatus::Purchased);
}

#[test]
fn no_check_in_on_a_cancelled_event() {
    let s = Setup::new();
    let e = s.create(1);
    s.buy(&s.wallet(), &e, 1);
    s.client.cancel_event(&s.organizer, &e);
    s.set_time(START);
    assert_eq!(
        s.client.try_check_in(&s.organizer, &1),
        Err(Ok(E::EventCancelled))
    );
}

#[test]
fn check_in_follows_a_postponement() {
    let s = Setup::new();
    let e = s.create(1);
    s.buy(&s.wallet(), &e, 1);
    let (new_start, new_end) = (END + 86_400, END + 2 * 86_400);
    s.client
        .postpone_event(&s.organizer, &e, &new_start, &new_end);
    s.set_time(START + 10);
    assert_eq!(
        s.client.try_check_in(&s.organizer, &1),
        Err(Ok(E::OutsideEventWindow))
    );
    s.set_time(new_start);
    s.client.check_in(&s.organizer, &1);
}
