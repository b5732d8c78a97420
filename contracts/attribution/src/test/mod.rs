//! Native tests of the attribution contract against a mock ticketing contract
//! (`passa_common::testutils::MockTicketing`).

mod admin;
mod consent;
mod errors;
mod signers;
mod ttl;
#[cfg(feature = "wasm-tests")]
mod wasm;

use passa_common::testutils::{MockTicketing, MockTicketingClient};
use passa_common::{EventId, EventLedger, EventStatus, Share};
use soroban_sdk::testutils::{Address as _, Events as _};
use soroban_sdk::{Address, BytesN, Env, Event};

use crate::{AttributionClient, ContributionKind};

pub struct Setup {
    pub env: Env,
    pub admin: Address,
    pub organizer: Address,
    pub revenue: Address,
    pub ticketing: MockTicketingClient<'static>,
    pub attribution: AttributionClient<'static>,
    pub event_id: EventId,
}

pub fn event_id(env: &Env, n: u8) -> EventId {
    BytesN::from_array(env, &[n; 16])
}

/// Registers the contract under test; the wasm tests override this.
pub fn register(env: &Env, admin: &Address, ticketing: &Address, revenue: &Address) -> Address {
    env.register(crate::Attribution, (admin, ticketing, revenue))
}

pub fn setup_with(register: fn(&Env, &Address, &Address, &Address) -> Address) -> Setup {
    let env = Env::default();
    let admin = Address::generate(&env);
    let organizer = Address::generate(&env);
    let revenue = Address::generate(&env);
    let ticketing_id = env.register(MockTicketing, ());
    let attribution_id = register(&env, &admin, &ticketing_id, &revenue);
    let ticketing = MockTicketingClient::new(&env, &ticketing_id);
    ticketing.wire(&attribution_id, &revenue);
    let event_id = event_id(&env, 1);
    ticketing.set_event(
        &event_id,
        &EventLedger {
            organizer: organizer.clone(),
            payment_token: Address::generate(&env),
            status: EventStatus::Published,
            start: 1_000,
            end: 2_000,
            refund_deadline: 0,
            gross_sales: 0,
            royalties: 0,
            refunds: 0,
            commissions: 0,
        },
    );
    let attribution = AttributionClient::new(&env, &attribution_id);
    Setup {
        env,
        admin,
        organizer,
        revenue,
        ticketing,
        attribution,
        event_id,
    }
}

pub fn setup() -> Setup {
    setup_with(register)
}

impl Setup {
    pub fn id(&self) -> Address {
        self.attribution.address.clone()
    }

    /// Asserts the attribution contract emitted exactly `expected` in the last call.
    pub fn assert_events(&self, expected: &[&dyn Event]) {
        let id = self.id();
        let want: std::vec::Vec<_> = expected.iter().map(|e| e.to_xdr(&self.env, &id)).collect();
        assert_eq!(self.env.events().all().filter_by_contract(&id), want);
    }

    /// Organizer proposes and contributor accepts (all auths mocked).
    pub fn approved(&self, contributor: &Address, share: Share) {
        self.env.mock_all_auths();
        self.attribution.propose(
            &self.event_id,
            contributor,
            &ContributionKind::ArtistPerformance,
            &share,
        );
        self.attribution.accept(&self.event_id, contributor);
    }
}
