//! Constructor wiring, admin two-step transfer, pause, upgrade, organizer verification.

use super::*;
use crate::events::{OrganizerRevoked, OrganizerVerified};
use crate::TicketingError as E;
use soroban_sdk::IntoVal;

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

/// The shared entry points (`passa_common::admin_api::AdminApi`): wrong signers refused,
/// exact events, every error; the wasm tests run the same suite with a real upgrade.
#[test]
fn shared_admin_pause_upgrade_entry_points() {
    let s = Setup::new();
    passa_common::testutils::admin_suite::run(&s.env, &s.id, &s.admin, None);
}

#[test]
fn the_new_admin_rules_after_a_transfer() {
    let s = Setup::new();
    let next = Address::generate(&s.env);
    s.client.transfer_admin(&next);
    s.client.accept_admin();
    assert_eq!(s.client.admin(), next);
    // Verifying now needs the new admin's signature, not the old admin's.
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
    assert_eq!(
        s.env.auths(),
        std::vec![auth_of(
            &s,
            &next,
            "verify_organizer",
            (org.clone(),).into_val(&s.env)
        )]
    );
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
        s.client.try_purchase(&buyer, &e, &0, &s.ids(1), &1, &None),
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
