//! Native tests of the revenue contract with the real attribution contract, a mock ticketing
//! contract (`passa_common::testutils::MockTicketing`) and a Stellar Asset Contract token.

mod admin;
mod claims;
mod errors;
mod math;
mod props;
mod refunds;
mod settle;
mod signers;
mod ttl;
#[cfg(feature = "wasm-tests")]
mod wasm;

use passa_attribution::{AttributionClient, ContributionKind};
use passa_common::testutils::{MockTicketing, MockTicketingClient};
use passa_common::{EventId, EventLedger, EventStatus, Share};
use soroban_sdk::testutils::{Address as _, Events as _, Ledger as _};
use soroban_sdk::token::{StellarAssetClient, TokenClient};
use soroban_sdk::{Address, BytesN, Env, Event};

use crate::RevenueClient;

pub const FEE_BPS: u32 = 250;
pub const HIGH_VALUE: i128 = 10_000_000_000_000;
pub const START: u64 = 1_000;
pub const END: u64 = 2_000;

/// How the contracts under test are registered (natively here, from wasm in `wasm.rs`).
pub type RevenueArgs<'a> = (
    &'a Address,
    &'a Address,
    &'a Address,
    &'a Address,
    u32,
    i128,
);

pub struct Registrar {
    pub revenue: fn(&Env, &Address, RevenueArgs),
    pub attribution: fn(&Env, &Address, (&Address, &Address, &Address)),
}

pub const NATIVE: Registrar = Registrar {
    revenue: |env, at, args| {
        env.register_at(at, crate::Revenue, args);
    },
    attribution: |env, at, args| {
        env.register_at(at, passa_attribution::Attribution, args);
    },
};

pub struct Setup {
    pub env: Env,
    pub admin: Address,
    pub organizer: Address,
    pub treasury: Address,
    pub token: TokenClient<'static>,
    pub sac: StellarAssetClient<'static>,
    pub ticketing: MockTicketingClient<'static>,
    pub attribution: AttributionClient<'static>,
    pub revenue: RevenueClient<'static>,
    pub event_id: EventId,
}

pub fn event_id(env: &Env, n: u8) -> EventId {
    BytesN::from_array(env, &[n; 16])
}

pub fn setup_with(r: &Registrar) -> Setup {
    let env = Env::default();
    let admin = Address::generate(&env);
    let organizer = Address::generate(&env);
    let treasury = Address::generate(&env);
    let sac_contract = env.register_stellar_asset_contract_v2(admin.clone());
    let token_id = sac_contract.address();
    let ticketing_id = env.register(MockTicketing, ());
    let revenue_id = Address::generate(&env);
    let attribution_id = Address::generate(&env);
    (r.attribution)(&env, &attribution_id, (&admin, &ticketing_id, &revenue_id));
    (r.revenue)(
        &env,
        &revenue_id,
        (
            &admin,
            &ticketing_id,
            &attribution_id,
            &treasury,
            FEE_BPS,
            HIGH_VALUE,
        ),
    );
    let ticketing = MockTicketingClient::new(&env, &ticketing_id);
    ticketing.wire(&attribution_id, &revenue_id);
    let s = Setup {
        token: TokenClient::new(&env, &token_id),
        sac: StellarAssetClient::new(&env, &token_id),
        ticketing,
        attribution: AttributionClient::new(&env, &attribution_id),
        revenue: RevenueClient::new(&env, &revenue_id),
        event_id: event_id(&env, 1),
        env,
        admin,
        organizer,
        treasury,
    };
    s.create_event(&s.event_id.clone());
    s
}

pub fn setup() -> Setup {
    setup_with(&NATIVE)
}

impl Setup {
    pub fn id(&self) -> Address {
        self.revenue.address.clone()
    }

    pub fn create_event(&self, event_id: &EventId) {
        self.ticketing.set_event(
            event_id,
            &EventLedger {
                organizer: self.organizer.clone(),
                payment_token: self.token.address.clone(),
                status: EventStatus::Published,
                start: START,
                end: END,
                refund_deadline: END,
                gross_sales: 0,
                royalties: 0,
                refunds: 0,
                commissions: 0,
            },
        );
    }

    /// Asserts the revenue contract emitted exactly `expected` in the last call.
    pub fn assert_events(&self, expected: &[&dyn Event]) {
        let id = self.id();
        let want: std::vec::Vec<_> = expected.iter().map(|e| e.to_xdr(&self.env, &id)).collect();
        assert_eq!(self.env.events().all().filter_by_contract(&id), want);
    }

    /// A sale of `amount`: the buyer's payment lands in the escrow, ticketing books it.
    pub fn sell(&self, amount: i128, referrer: Option<&Address>) -> i128 {
        self.sac.mock_all_auths().mint(&self.id(), &amount);
        self.ticketing
            .record_sale(&self.event_id, &amount, &referrer.cloned())
    }

    /// An approved contribution (organizer proposes, contributor accepts).
    pub fn contributor(&self, share: Share) -> Address {
        let who = Address::generate(&self.env);
        self.env.mock_all_auths();
        self.attribution
            .propose(&self.event_id, &who, &ContributionKind::Promotion, &share);
        self.attribution.accept(&self.event_id, &who);
        who
    }

    pub fn end_event(&self) {
        self.env.ledger().with_mut(|l| l.timestamp = END + 1);
    }

    pub fn balance(&self, who: &Address) -> i128 {
        self.token.balance(who)
    }

    /// Ends the event and settles with all auths mocked.
    pub fn settle(&self) -> crate::Settlement {
        self.end_event();
        self.env.mock_all_auths();
        self.revenue.settle(&self.event_id)
    }
}
