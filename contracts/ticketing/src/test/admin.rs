//! Constructor wiring, admin two-step transfer, pause, upgrade, organizer verification.

use super::*;
use crate::events::{OrganizerRevoked, OrganizerVerified};
use crate::TicketingError as E;
use passa_common::events::{AdminTransferStarted, AdminTransferred, Paused, Unpaused};
use soroban_sdk::IntoVal;

fn no_args(s: &Setup) -> Vec<Val> {
    Vec::new(&s.env)
}

#[test]
fn constructor_wires_everything() {
    let s = Setup::new();
    assert_eq!(s.client.admin(), s.admin);
    assert_eq!(s.client.pending_admin(), None);
    assert_eq!(s.client.revenue(), s.revenue);
    assert_eq!(s.client.attribution(), s.attribution);
    assert_eq!(s.client.name(), String::from_str(&s.env, "Passa Tickets"));
    assert_eq!(s.client.symbol(), String::from_str(&s.env, "PASSA"));
    assert!(!s.paused());
    assert_eq!(s.next_id(), 1);
    assert!(s.client.is_verified_organizer(&s.organizer));
}

#[test]
fn verify_and_revoke_organizer() {
    let s = Setup::new();
    let org = Address::generate(&s.env);
    s.client.verify_organizer(&org);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&OrganizerVerified {
            organizer: org.clone()
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &s.admin,
            "verify_organizer",
            (org.clone(),).into_val(&s.env)
        )]
    );
    assert!(s.client.is_verified_organizer(&org));
    assert_eq!(
        s.client.try_verify_organizer(&org),
        Err(Ok(E::OrganizerAlreadyVerified))
    );

    s.client.revoke_organizer(&org);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&OrganizerRevoked {
            organizer: org.clone()
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &s.admin,
            "revoke_organizer",
            (org.clone(),).into_val(&s.env)
        )]
    );
    assert!(!s.client.is_verified_organizer(&org));
    assert_eq!(
        s.client.try_revoke_organizer(&org),
        Err(Ok(E::OrganizerNotVerified))
    );
}

#[test]
fn only_the_admin_verifies_and_revokes() {
    let s = Setup::new();
    let org = Address::generate(&s.env);
    let args: Vec<Val> = (org.clone(),).into_val(&s.env);
    refused(&s, &org, "verify_organizer", args.clone());
    refused(
        &s,
        &s.organizer,
        "revoke_organizer",
        (s.organizer.clone(),).into_val(&s.env),
    );
    assert!(!s.client.is_verified_organizer(&org));
    assert!(s.client.is_verified_organizer(&s.organizer));
}

#[test]
fn admin_transfer_takes_two_steps() {
    let s = Setup::new();
    let next = Address::generate(&s.env);
    s.client.transfer_admin(&next);
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&AdminTransferStarted {
            current: s.admin.clone(),
            pending: next.clone(),
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &s.admin,
            "transfer_admin",
            (next.clone(),).into_val(&s.env)
        )]
    );
    assert_eq!(s.client.admin(), s.admin);
    assert_eq!(s.client.pending_admin(), Some(next.clone()));

    s.client.accept_admin();
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&AdminTransferred {
            previous: s.admin.clone(),
            new_admin: next.clone(),
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(&s, &next, "accept_admin", no_args(&s))]
    );
    assert_eq!(s.client.admin(), next);
    assert_eq!(s.client.pending_admin(), None);
    assert_eq!(s.client.try_accept_admin(), Err(Ok(E::NoPendingAdmin)));

    // The new admin rules: verifying now needs its signature, not the old admin's.
    let org = Address::generate(&s.env);
    refused(
        &s,
        &s.admin,
        "verify_organizer",
        (org.clone(),).into_val(&s.env),
    );
    only_signer(
        &s,
        &next,
        "verify_organizer",
        (org.clone(),).into_val(&s.env),
    );
    s.client.verify_organizer(&org);
}

#[test]
fn admin_transfer_refuses_wrong_signers() {
    let s = Setup::new();
    let next = Address::generate(&s.env);
    refused(
        &s,
        &next,
        "transfer_admin",
        (next.clone(),).into_val(&s.env),
    );
    s.client.transfer_admin(&next);
    // Only the proposed admin may accept.
    refused(&s, &s.admin, "accept_admin", no_args(&s));
    assert_eq!(s.client.admin(), s.admin);
}

#[test]
fn pause_and_unpause() {
    let s = Setup::new();
    s.client.pause();
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&Paused {
            admin: s.admin.clone()
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(&s, &s.admin, "pause", no_args(&s))]
    );
    assert!(s.paused());
    assert_eq!(s.client.try_pause(), Err(Ok(E::Paused)));

    s.client.unpause();
    assert_eq!(
        s.events(),
        std::vec![s.xdr(&Unpaused {
            admin: s.admin.clone()
        })]
    );
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(&s, &s.admin, "unpause", no_args(&s))]
    );
    assert!(!s.paused());
    assert_eq!(s.client.try_unpause(), Err(Ok(E::NotPaused)));
}

#[test]
fn only_the_admin_pauses_and_unpauses() {
    let s = Setup::new();
    refused(&s, &s.organizer, "pause", no_args(&s));
    s.client.pause();
    refused(&s, &s.organizer, "unpause", no_args(&s));
    assert!(s.paused());
}

#[test]
fn pause_stops_every_path_that_moves_money_or_tickets() {
    let s = Setup::new();
    let e = s.create(1);
    let buyer = s.wallet();
    let other = s.wallet();
    let ids = s.buy(&buyer, &e, 3);
    s.client.list(&buyer, &ids.get(2).unwrap(), &GA_PRICE);
    s.client.pause();
    let paused = soroban_sdk::Error::from_contract_error(E::Paused as u32);
    assert_eq!(
        s.client.try_purchase(&buyer, &e, &0, &1, &None),
        Err(Ok(E::Paused))
    );
    assert_eq!(s.client.try_transfer(&buyer, &other, &1), Err(Ok(paused)));
    assert_eq!(
        s.client.try_transfer_from(&buyer, &buyer, &other, &2),
        Err(Ok(paused))
    );
    assert_eq!(s.client.try_buy_listing(&other, &3), Err(Ok(E::Paused)));
    s.client.unpause();
    s.client.cancel_event(&s.organizer, &e);
    s.client.pause();
    assert_eq!(s.client.try_refund(&buyer, &1), Err(Ok(E::Paused)));
    // Getters and organizer actions keep working.
    assert_eq!(s.client.balance(&buyer), 3);
}

#[test]
fn only_the_admin_upgrades() {
    let s = Setup::new();
    let hash = BytesN::from_array(&s.env, &[7u8; 32]);
    refused(
        &s,
        &s.organizer,
        "upgrade",
        (hash.clone(),).into_val(&s.env),
    );
}

#[test]
#[should_panic(expected = "Error(Auth, InvalidAction)")]
fn upgrade_signed_by_another_address_is_an_auth_error() {
    let s = Setup::new();
    let hash = BytesN::from_array(&s.env, &[7u8; 32]);
    only_signer(
        &s,
        &s.organizer,
        "upgrade",
        (hash.clone(),).into_val(&s.env),
    );
    s.client.upgrade(&hash);
}

#[test]
#[should_panic(expected = "Error(Storage, MissingValue)")]
fn upgrade_signed_by_the_admin_gets_past_auth() {
    // With the admin's signature the call fails only because no code with that hash exists.
    let s = Setup::new();
    let hash = BytesN::from_array(&s.env, &[7u8; 32]);
    only_signer(&s, &s.admin, "upgrade", (hash.clone(),).into_val(&s.env));
    s.client.upgrade(&hash);
}

#[test]
#[should_panic(expected = "Error(Auth, InvalidAction)")]
fn verify_organizer_signed_by_another_address_is_an_auth_error() {
    let s = Setup::new();
    let org = Address::generate(&s.env);
    only_signer(
        &s,
        &org,
        "verify_organizer",
        (org.clone(),).into_val(&s.env),
    );
    s.client.verify_organizer(&org);
}
