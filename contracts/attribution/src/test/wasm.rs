//! The key flows against the optimised wasm (`target/wasm/passa_attribution.wasm`, built by
//! `scripts/build-contracts.sh`), and the cost report. Enabled by the `wasm-tests` feature.

use std::vec::Vec;

use passa_common::events::Upgraded;
use passa_common::testutils::auth;
use passa_common::Share;
use soroban_sdk::testutils::Address as _;
use soroban_sdk::{Address, Env, IntoVal};

use super::{setup_with, Setup};
use crate::events::{ContributionApproved, ContributionProposed};
use crate::{AttributionError as E, ContributionKind};

pub const ATTRIBUTION_WASM: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../target/wasm/passa_attribution.wasm"
));

fn register(env: &Env, admin: &Address, ticketing: &Address, revenue: &Address) -> Address {
    env.register(ATTRIBUTION_WASM, (admin, ticketing, revenue))
}

fn wasm_setup() -> Setup {
    let s = setup_with(register);
    s.env.cost_estimate().budget().reset_unlimited();
    s
}

const K: ContributionKind = ContributionKind::Promotion;

/// The shared entry points (admin, pause, upgrade) against the wasm, with a real upgrade.
#[test]
fn wasm_shared_admin_pause_upgrade_entry_points() {
    let s = wasm_setup();
    passa_common::testutils::admin_suite::run(&s.env, &s.id(), &s.admin, Some(ATTRIBUTION_WASM));
}

#[test]
fn wasm_consent_rules_and_lock() {
    let s = wasm_setup();
    let a = Address::generate(&s.env);
    let share = Share::Commission(700);
    let args = (&s.event_id, &a, K, share.clone()).into_val(&s.env);
    auth::sign(&s.env, &s.organizer, &s.id(), "propose", args);
    s.attribution.propose(&s.event_id, &a, &K, &share);
    s.assert_events(&[&ContributionProposed {
        event_id: s.event_id.clone(),
        contributor: a.clone(),
        organizer: s.organizer.clone(),
        kind: K,
        share: share.clone(),
    }]);
    auth::sign(
        &s.env,
        &s.organizer,
        &s.id(),
        "accept",
        (&s.event_id, &a).into_val(&s.env),
    );
    assert!(
        s.attribution.try_accept(&s.event_id, &a).is_err(),
        "only the contributor accepts"
    );
    auth::sign(
        &s.env,
        &a,
        &s.id(),
        "accept",
        (&s.event_id, &a).into_val(&s.env),
    );
    s.attribution.accept(&s.event_id, &a);
    s.assert_events(&[&ContributionApproved {
        event_id: s.event_id.clone(),
        contributor: a.clone(),
        approved_by: a.clone(),
        kind: K,
        share: share.clone(),
    }]);
    assert_eq!(s.ticketing.referral_rate(&s.event_id, &a), 700);

    s.env.mock_all_auths();
    let b = Address::generate(&s.env);
    let c = Address::generate(&s.env);
    s.attribution
        .submit(&s.event_id, &b, &K, &Share::Percentage(9_000));
    let r = s
        .attribution
        .try_propose(&s.event_id, &c, &K, &Share::Percentage(1_001));
    assert_eq!(r, Err(Ok(E::PercentageOverflow)));
    s.attribution.approve(&s.event_id, &b);

    auth::sign(
        &s.env,
        &s.organizer,
        &s.id(),
        "lock",
        (&s.event_id,).into_val(&s.env),
    );
    assert!(
        s.attribution.try_lock(&s.event_id).is_err(),
        "only revenue locks"
    );
    auth::sign(
        &s.env,
        &s.revenue,
        &s.id(),
        "lock",
        (&s.event_id,).into_val(&s.env),
    );
    let totals = s.attribution.lock(&s.event_id);
    assert_eq!((totals.percentage_bps, totals.contributors), (9_000, 2));
    s.env.mock_all_auths();
    let r = s
        .attribution
        .try_propose(&s.event_id, &c, &K, &Share::Fixed(1));
    assert_eq!(r, Err(Ok(E::EventLocked)));
}

#[test]
fn wasm_upgrade_by_the_admin_only() {
    let s = wasm_setup();
    let hash = s.env.deployer().upload_contract_wasm(ATTRIBUTION_WASM);
    let mallory = Address::generate(&s.env);
    auth::sign(
        &s.env,
        &mallory,
        &s.id(),
        "upgrade",
        (&hash,).into_val(&s.env),
    );
    assert!(s.attribution.try_upgrade(&hash).is_err());
    auth::sign(
        &s.env,
        &s.admin,
        &s.id(),
        "upgrade",
        (&hash,).into_val(&s.env),
    );
    s.attribution.upgrade(&hash);
    auth::assert_only(
        &s.env,
        &s.admin,
        &s.id(),
        "upgrade",
        (&hash,).into_val(&s.env),
    );
    s.assert_events(&[&Upgraded { wasm_hash: hash }]);
}

fn line(env: &Env, name: &str) -> std::string::String {
    let r = env.cost_estimate().resources();
    std::format!(
        "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
        r.instructions,
        r.mem_bytes,
        r.disk_read_entries,
        r.memory_read_entries,
        r.write_entries,
        r.disk_read_bytes,
        r.write_bytes,
        r.contract_events_size_bytes
    )
}

/// Every public function's cost on the wasm. Run by `scripts/contract-costs.sh`.
#[test]
fn wasm_cost_report() {
    let s = wasm_setup();
    let e = &s.env;
    let id = &s.event_id;
    let at = &s.attribution;
    let mut rows: Vec<std::string::String> = Vec::new();
    let [a, b, c, d] = [(); 4].map(|_| Address::generate(e));
    e.mock_all_auths();
    at.propose(id, &a, &K, &Share::Percentage(1_000));
    rows.push(line(e, "propose"));
    at.accept(id, &a);
    rows.push(line(e, "accept (percentage)"));
    at.submit(id, &b, &K, &Share::Commission(500));
    rows.push(line(e, "submit"));
    at.approve(id, &b);
    rows.push(line(e, "approve (commission: sets the referral rate)"));
    at.submit(id, &c, &K, &Share::Fixed(5));
    at.reject(id, &c);
    rows.push(line(e, "reject (by the organizer)"));
    at.propose(id, &d, &K, &Share::Fixed(5));
    at.reject(id, &d);
    rows.push(line(e, "reject (by the contributor)"));
    at.approved_share(id, &a);
    rows.push(line(e, "approved_share"));
    at.contribution(id, &a);
    rows.push(line(e, "contribution"));
    at.totals(id);
    rows.push(line(e, "totals"));
    at.lock(id);
    rows.push(line(e, "lock"));
    at.ticketing();
    rows.push(line(e, "ticketing / revenue"));
    at.admin();
    rows.push(line(e, "admin"));
    at.pending_admin();
    rows.push(line(e, "pending_admin"));
    at.paused();
    rows.push(line(e, "paused"));
    at.pause();
    rows.push(line(e, "pause"));
    at.unpause();
    rows.push(line(e, "unpause"));
    let next = Address::generate(e);
    at.transfer_admin(&next);
    rows.push(line(e, "transfer_admin"));
    at.accept_admin();
    rows.push(line(e, "accept_admin"));
    let hash = e.deployer().upload_contract_wasm(ATTRIBUTION_WASM);
    at.upgrade(&hash);
    rows.push(line(e, "upgrade"));
    std::println!(
        "\n### attribution (wasm {} bytes)\n",
        ATTRIBUTION_WASM.len()
    );
    std::println!("| call | CPU instructions | memory bytes | disk reads | reads (mem) | writes | read bytes | write bytes | event bytes |");
    std::println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        std::println!("{r}");
    }
}
