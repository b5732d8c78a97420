//! SEP-50: balance, owner_of, transfer, transfer_from, approve, approve_for_all, metadata, and
//! the movement rules.

use super::*;
use crate::events::{Approve, ApproveForAll, Transfer};
use crate::TicketingError as E;
use soroban_sdk::IntoVal;

/// An event with one buyer holding tickets 1..=3.
fn with_tickets() -> (Setup, EventId, Address) {
    let s = Setup::new();
    let e = s.create(1);
    let holder = s.wallet();
    s.buy(&holder, &e, 3);
    (s, e, holder)
}

#[test]
fn metadata() {
    let (s, _, _) = with_tickets();
    assert_eq!(s.client.name(), String::from_str(&s.env, "Passa Tickets"));
    assert_eq!(s.client.symbol(), String::from_str(&s.env, "PASSA"));
    assert_eq!(
        s.client.token_uri(&1),
        String::from_str(&s.env, "https://passa.example/e/1.json")
    );
    assert_eq!(
        s.client.try_token_uri(&99),
        Err(Ok(aborted(E::NonExistentToken)))
    );
    assert_eq!(
        s.client.try_owner_of(&99),
        Err(Ok(aborted(E::NonExistentToken)))
    );
    assert_eq!(
        s.client.try_get_approved(&99),
        Err(Ok(aborted(E::NonExistentToken)))
    );
}

#[test]
fn transfer_moves_with_both_signatures() {
    let (s, _, holder) = with_tickets();
    let friend = s.wallet();
    s.client.transfer(&holder, &friend, &2);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&Transfer {
            from: holder.clone(),
            to: friend.clone(),
            token_id: 2
        })]
    );
    let args: Vec<Val> = (holder.clone(), friend.clone(), 2u32).into_val(&s.env);
    assert_eq!(
        s.env.auths(),
        std::vec![
            auth_of(&s, &holder, "transfer", args.clone()),
            auth_of(&s, &friend, "transfer", args),
        ]
    );
    assert_eq!(s.client.owner_of(&2), friend);
    assert_eq!(s.client.balance(&holder), 2);
    assert_eq!(s.client.balance(&friend), 1);
    assert_eq!(s.client.ticket(&2).nonce, 1);
}

#[test]
fn transfer_needs_the_receivers_consent_too() {
    let (s, _, holder) = with_tickets();
    let friend = s.wallet();
    let args: Vec<Val> = (holder.clone(), friend.clone(), 1u32).into_val(&s.env);
    // Sender alone: refused (seed rule: both parties consent).
    refused(&s, &holder, "transfer", args.clone());
    // Receiver alone: refused.
    refused(&s, &friend, "transfer", args);
    assert_eq!(s.client.owner_of(&1), holder);
}

#[test]
fn transfer_checks_the_owner() {
    let (s, _, holder) = with_tickets();
    let other = s.wallet();
    assert_eq!(
        s.client.try_transfer(&other, &holder, &1),
        Err(Ok(aborted(E::IncorrectOwner)))
    );
    assert_eq!(
        s.client.try_transfer(&holder, &other, &77),
        Err(Ok(aborted(E::NonExistentToken)))
    );
}

#[test]
fn non_transferable_tickets_do_not_move() {
    let s = Setup::new();
    let mut config = s.config();
    config.transferable = false;
    let e = s.create_with(1, &config);
    let holder = s.wallet();
    s.buy(&holder, &e, 1);
    let friend = s.wallet();
    assert_eq!(
        s.client.try_transfer(&holder, &friend, &1),
        Err(Ok(aborted(E::NotTransferable)))
    );
    assert_eq!(
        s.client.try_transfer_from(&holder, &holder, &friend, &1),
        Err(Ok(aborted(E::NotTransferable)))
    );
}

#[test]
fn tickets_of_ended_or_cancelled_events_do_not_move() {
    let (s, e, holder) = with_tickets();
    let friend = s.wallet();
    s.set_time(END);
    assert_eq!(
        s.client.try_transfer(&holder, &friend, &1),
        Err(Ok(aborted(E::EventEnded)))
    );

    let s2 = Setup::new();
    let e2 = s2.create(2);
    let h2 = s2.wallet();
    s2.buy(&h2, &e2, 1);
    s2.client.cancel_event(&s2.organizer, &e2);
    assert_eq!(
        s2.client.try_transfer(&h2, &s2.wallet(), &1),
        Err(Ok(aborted(E::EventCancelled)))
    );
    let _ = e;
}

#[test]
fn used_tickets_do_not_move() {
    let (s, _, holder) = with_tickets();
    s.set_time(START);
    s.client.check_in(&s.organizer, &1);
    assert_eq!(
        s.client.try_transfer(&holder, &s.wallet(), &1),
        Err(Ok(aborted(E::TicketUsed)))
    );
}

#[test]
fn approve_lets_the_spender_move_once() {
    let (s, _, holder) = with_tickets();
    let spender = Address::generate(&s.env);
    let friend = s.wallet();
    let until = SEQ0 + 100;
    s.client.approve(&holder, &spender, &1, &until);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&Approve {
            approver: holder.clone(),
            token_id: 1,
            approved: spender.clone(),
            live_until_ledger: until,
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &holder,
            "approve",
            (holder.clone(), spender.clone(), 1u32, until).into_val(&s.env)
        )]
    );
    assert_eq!(s.client.get_approved(&1), Some(spender.clone()));

    s.client.transfer_from(&spender, &holder, &friend, &1);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&Transfer {
            from: holder.clone(),
            to: friend.clone(),
            token_id: 1
        })]
    );
    let args: Vec<Val> = (spender.clone(), holder.clone(), friend.clone(), 1u32).into_val(&s.env);
    assert_eq!(
        s.env.auths(),
        std::vec![
            auth_of(&s, &spender, "transfer_from", args.clone()),
            auth_of(&s, &friend, "transfer_from", args),
        ]
    );
    assert_eq!(s.client.owner_of(&1), friend);
    // The transfer voided the approval, even if the ticket comes back.
    assert_eq!(s.client.get_approved(&1), None);
    s.client.transfer(&friend, &holder, &1);
    assert_eq!(s.client.get_approved(&1), None);
    assert_eq!(
        s.client.try_transfer_from(&spender, &holder, &friend, &1),
        Err(Ok(aborted(E::InsufficientApproval)))
    );
}

#[test]
fn transfer_from_needs_spender_and_receiver() {
    let (s, _, holder) = with_tickets();
    let spender = Address::generate(&s.env);
    let friend = s.wallet();
    s.client.approve(&holder, &spender, &1, &(SEQ0 + 100));
    let args: Vec<Val> = (spender.clone(), holder.clone(), friend.clone(), 1u32).into_val(&s.env);
    refused(&s, &spender, "transfer_from", args.clone());
    refused(&s, &friend, "transfer_from", args.clone());
    refused(&s, &holder, "transfer_from", args);
    assert_eq!(s.client.owner_of(&1), holder);
}

#[test]
fn approval_expires_and_can_be_revoked() {
    let (s, _, holder) = with_tickets();
    let spender = Address::generate(&s.env);
    s.client.approve(&holder, &spender, &1, &(SEQ0 + 10));
    s.env.ledger().set_sequence_number(SEQ0 + 11);
    assert_eq!(s.client.get_approved(&1), None);
    assert_eq!(
        s.client
            .try_transfer_from(&spender, &holder, &s.wallet(), &1),
        Err(Ok(aborted(E::InsufficientApproval)))
    );
    s.client.approve(&holder, &spender, &1, &(SEQ0 + 100));
    assert_eq!(s.client.get_approved(&1), Some(spender.clone()));
    s.client.approve(&holder, &spender, &1, &0);
    assert_eq!(s.client.get_approved(&1), None);
}

#[test]
fn approve_validates() {
    let (s, _, holder) = with_tickets();
    let spender = Address::generate(&s.env);
    assert_eq!(
        s.client.try_approve(&spender, &spender, &1, &(SEQ0 + 10)),
        Err(Ok(aborted(E::InvalidApprover)))
    );
    assert_eq!(
        s.client.try_approve(&holder, &spender, &1, &(SEQ0 - 1)),
        Err(Ok(aborted(E::InvalidLiveUntilLedger)))
    );
    assert_eq!(
        s.client.try_approve(&holder, &spender, &1, &u32::MAX),
        Err(Ok(aborted(E::InvalidLiveUntilLedger)))
    );
    assert_eq!(
        s.client.try_approve(&holder, &spender, &99, &(SEQ0 + 10)),
        Err(Ok(aborted(E::NonExistentToken)))
    );
    let args: Vec<Val> = (holder.clone(), spender.clone(), 1u32, SEQ0 + 10).into_val(&s.env);
    refused(&s, &spender, "approve", args);
}

#[test]
fn operators_manage_all_tickets() {
    let (s, _, holder) = with_tickets();
    let operator = Address::generate(&s.env);
    let friend = s.wallet();
    let until = SEQ0 + 1_000;
    s.client.approve_for_all(&holder, &operator, &until);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&ApproveForAll {
            owner: holder.clone(),
            operator: operator.clone(),
            live_until_ledger: until,
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &holder,
            "approve_for_all",
            (holder.clone(), operator.clone(), until).into_val(&s.env)
        )]
    );
    assert!(s.client.is_approved_for_all(&holder, &operator));
    // An operator may move any ticket, and approve others for single tickets.
    s.client.transfer_from(&operator, &holder, &friend, &1);
    let delegate = Address::generate(&s.env);
    s.client.approve(&operator, &delegate, &2, &until);
    assert_eq!(s.client.get_approved(&2), Some(delegate));

    s.client.approve_for_all(&holder, &operator, &0);
    assert!(!s.client.is_approved_for_all(&holder, &operator));
    assert_eq!(
        s.client.try_transfer_from(&operator, &holder, &friend, &3),
        Err(Ok(aborted(E::InsufficientApproval)))
    );
    let args: Vec<Val> = (holder.clone(), operator.clone(), until).into_val(&s.env);
    refused(&s, &operator, "approve_for_all", args);
    assert_eq!(
        s.client
            .try_approve_for_all(&holder, &operator, &(SEQ0 - 1)),
        Err(Ok(aborted(E::InvalidLiveUntilLedger)))
    );
}

#[test]
fn operator_approval_expires() {
    let (s, _, holder) = with_tickets();
    let operator = Address::generate(&s.env);
    s.client.approve_for_all(&holder, &operator, &(SEQ0 + 20));
    s.env.ledger().set_sequence_number(SEQ0 + 21);
    assert!(!s.client.is_approved_for_all(&holder, &operator));
}
