//! Ticketing wired to the real attribution and revenue contracts (addresses known before
//! deployment, as `passa deploy` does with deterministic salts). With `wasm-tests`, all three
//! run from their built wasm (`target/wasm/`), end to end.

use super::*;
use passa_attribution::{AttributionClient, ContributionKind};
use passa_common::Share;
use passa_revenue::RevenueClient;

/// The neighbours' built wasm (with `wasm-tests`).
mod neighbours {
    #[cfg(feature = "wasm-tests")]
    pub const REVENUE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/wasm/passa_revenue.wasm"
    ));
    #[cfg(feature = "wasm-tests")]
    pub const ATTRIBUTION: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/wasm/passa_attribution.wasm"
    ));
    #[cfg(not(feature = "wasm-tests"))]
    pub const REVENUE: &[u8] = &[];
    #[cfg(not(feature = "wasm-tests"))]
    pub const ATTRIBUTION: &[u8] = &[];
}

struct Wired {
    s: Setup,
    revenue: RevenueClient<'static>,
    attribution: AttributionClient<'static>,
    treasury: Address,
}

/// Fee 2.5 %, no high-value threshold in the way.
fn wired() -> Wired {
    let env = new_env();
    env.mock_all_auths();
    let admin = Address::generate(&env);
    let organizer = Address::generate(&env);
    let treasury = Address::generate(&env);
    let sac = env.register_stellar_asset_contract_v2(Address::generate(&env));
    let id = Address::generate(&env);
    let revenue_id = Address::generate(&env);
    let attribution_id = Address::generate(&env);
    let revenue_args = (
        admin.clone(),
        id.clone(),
        attribution_id.clone(),
        treasury.clone(),
        250u32,
        i128::MAX,
    );
    let attribution_args = (admin.clone(), id.clone(), revenue_id.clone());
    let ticketing_args = (
        admin.clone(),
        revenue_id.clone(),
        attribution_id.clone(),
        String::from_str(&env, "Passa Tickets"),
        String::from_str(&env, "PASSA"),
    );
    match WASM {
        Some(ticketing) => {
            env.cost_estimate().budget().reset_unlimited();
            env.register_at(&revenue_id, neighbours::REVENUE, revenue_args);
            env.register_at(&attribution_id, neighbours::ATTRIBUTION, attribution_args);
            env.register_at(&id, ticketing, ticketing_args);
        }
        None => {
            env.register_at(&revenue_id, passa_revenue::Revenue, revenue_args);
            env.register_at(
                &attribution_id,
                passa_attribution::Attribution,
                attribution_args,
            );
            env.register_at(&id, Ticketing, ticketing_args);
        }
    }
    let client = TicketingClient::new(&env, &id);
    client.verify_organizer(&organizer);
    let s = Setup {
        id,
        client,
        admin,
        organizer,
        revenue: revenue_id.clone(),
        attribution: attribution_id.clone(),
        token: TokenClient::new(&env, &sac.address()),
        token_admin: StellarAssetClient::new(&env, &sac.address()),
        env: env.clone(),
        next_token_id: core::cell::Cell::new(1),
    };
    Wired {
        revenue: RevenueClient::new(&env, &revenue_id),
        attribution: AttributionClient::new(&env, &attribution_id),
        treasury,
        s,
    }
}

#[test]
fn promoter_commission_flows_from_attribution_to_settlement() {
    let w = wired();
    let s = &w.s;
    let e = s.create(1);
    let promoter = Address::generate(&s.env);
    // Consent both ways: the organizer proposes, the promoter accepts; attribution then sets
    // the rate in ticketing.
    w.attribution.propose(
        &e,
        &promoter,
        &ContributionKind::Promotion,
        &Share::Commission(1_000),
    );
    w.attribution.accept(&e, &promoter);
    assert_eq!(s.rate(&e, &promoter), 1_000);

    let buyer = s.wallet();
    s.client
        .purchase(&buyer, &e, &0, &s.ids(2), &2, &Some(promoter.clone()));
    s.buy(&s.wallet(), &e, 1);
    assert_eq!(
        s.client.referral_commission(&e, &promoter),
        2 * GA_PRICE / 10
    );

    s.set_time(END);
    let settlement = w.revenue.settle(&e);
    let gross = 3 * GA_PRICE;
    assert_eq!(settlement.net, gross);
    assert_eq!(settlement.commissions, 2 * GA_PRICE / 10);
    assert_eq!(s.token.balance(&w.treasury), gross * 250 / 10_000);
    assert_eq!(w.revenue.claim(&e, &promoter), 2 * GA_PRICE / 10);
    assert_eq!(s.token.balance(&promoter), 2 * GA_PRICE / 10);
    let organizer_share = w.revenue.claim(&e, &s.organizer);
    assert_eq!(
        organizer_share,
        gross - gross * 250 / 10_000 - 2 * GA_PRICE / 10
    );
    assert_eq!(s.token.balance(&s.revenue), 0);
}

#[test]
fn refunds_are_paid_by_the_real_revenue_contract() {
    let w = wired();
    let s = &w.s;
    let e = s.create(1);
    let holder = s.wallet();
    s.buy(&holder, &e, 2);
    s.client.cancel_event(&s.organizer, &e);
    let before = s.token.balance(&holder);
    assert_eq!(s.client.refund(&holder, &1), GA_PRICE);
    assert_eq!(s.token.balance(&holder), before + GA_PRICE);
    assert_eq!(w.revenue.refunds_paid(&e), GA_PRICE);
    assert_eq!(s.client.event_ledger(&e).refunds, GA_PRICE);
    assert_eq!(s.token.balance(&s.revenue), GA_PRICE);
}
