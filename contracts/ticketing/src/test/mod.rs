//! Tests of the ticketing contract.
//!
//! [`Setup`] registers the contract with a real SEP-41 token (a Stellar Asset Contract) and a
//! test-only revenue mock ([`mock_revenue`]) that holds the escrow and pays refunds.
//!
//! With the `wasm-tests` feature every test runs against the optimised wasm
//! (`target/wasm/passa_ticketing.wasm`, built by `scripts/build-contracts.sh`; [`WASM`]) instead
//! of the native contract: the same success paths, exact events, error codes and wrong-signer
//! refusals, plus the wasm-only tests of `wasm.rs` (a real upgrade, the cost report). Without
//! the file the feature does not compile, so a missing build fails.

extern crate std;

mod admin;
mod cost;
mod events_xdr;
mod gate;
mod getters;
mod lifecycle;
mod mock_revenue;
mod nft;
mod props;
mod refund;
mod resale;
mod sale;
mod ttl;
#[cfg(feature = "wasm-tests")]
mod wasm;
mod wired;

use passa_common::EventId;
use soroban_sdk::testutils::{
    Address as _, AuthorizedFunction, AuthorizedInvocation, EnvTestConfig, Events as _,
    Ledger as _, LedgerInfo, MockAuth, MockAuthInvoke,
};
use soroban_sdk::token::{StellarAssetClient, TokenClient};
use soroban_sdk::xdr::{ContractEvent, ScErrorCode, ScErrorType};
use soroban_sdk::{symbol_short, vec, Address, BytesN, Env, Event, String, Symbol, Val, Vec};

use crate::types::{EventConfig, TierConfig};
use crate::{Ticketing, TicketingClient};
use mock_revenue::MockRevenue;

/// The contract code the tests run: the built wasm with `--features wasm-tests`, else the
/// native contract.
#[cfg(feature = "wasm-tests")]
pub const WASM: Option<&[u8]> = Some(include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../target/wasm/passa_ticketing.wasm"
)));
/// The contract code the tests run: the built wasm with `--features wasm-tests`, else the
/// native contract.
#[cfg(not(feature = "wasm-tests"))]
pub const WASM: Option<&[u8]> = None;

/// Ledger timestamp the tests start at.
pub const T0: u64 = 1_750_000_000;
/// Ledger sequence the tests start at.
pub const SEQ0: u32 = 1_000;
/// Sales open at `T0`, close at the start; the event runs `START..END`.
pub const START: u64 = T0 + 10 * 86_400;
pub const END: u64 = START + 86_400;
/// Face values of the two tiers of [`Setup::config`].
/// One whole token (7 decimals).
pub const UNIT: i128 = 10_000_000;
pub const GA_PRICE: i128 = 100 * UNIT;
pub const VIP_PRICE: i128 = 250 * UNIT;
/// Supplies and per-wallet limits of the two tiers.
pub const GA_SUPPLY: u32 = 100;
pub const GA_MAX: u32 = 4;
pub const VIP_SUPPLY: u32 = 5;
pub const VIP_MAX: u32 = 5;

pub struct Setup {
    pub env: Env,
    pub id: Address,
    pub client: TicketingClient<'static>,
    pub admin: Address,
    pub organizer: Address,
    pub revenue: Address,
    pub attribution: Address,
    pub token: TokenClient<'static>,
    pub token_admin: StellarAssetClient<'static>,
    /// The next token id [`Setup::ids`] hands out.
    pub next_token_id: core::cell::Cell<u32>,
}

/// Sets the ledger to `T0` / `SEQ0`.
pub fn new_env() -> Env {
    let env = Env::new_with_config(EnvTestConfig {
        capture_snapshot_at_drop: false,
    });
    env.ledger().set(LedgerInfo {
        protocol_version: 29,
        sequence_number: SEQ0,
        timestamp: T0,
        network_id: [0; 32],
        base_reserve: 10,
        min_persistent_entry_ttl: 4_096,
        min_temp_entry_ttl: 16,
        max_entry_ttl: 6_312_000,
    });
    env
}

impl Setup {
    /// Contract ([`WASM`] or native), token, revenue mock; a verified organizer. All auths
    /// mocked.
    pub fn new() -> Self {
        Self::with_wasm(WASM)
    }

    /// As [`Setup::new`], running the ticketing contract from `wasm` when given.
    pub fn with_wasm(wasm: Option<&[u8]>) -> Self {
        let env = new_env();
        if wasm.is_some() {
            // The VM's work is metered too; the limits of a transaction are checked by the
            // cost report, not here.
            env.cost_estimate().budget().reset_unlimited();
        }
        env.mock_all_auths();
        let admin = Address::generate(&env);
        let organizer = Address::generate(&env);
        let attribution = Address::generate(&env);
        let sac = env.register_stellar_asset_contract_v2(Address::generate(&env));
        let token = TokenClient::new(&env, &sac.address());
        let token_admin = StellarAssetClient::new(&env, &sac.address());
        // The revenue address must be known before the ticketing contract: register the mock
        // first and wire it afterwards.
        let revenue = env.register(MockRevenue, ());
        let args = (
            admin.clone(),
            revenue.clone(),
            attribution.clone(),
            String::from_str(&env, "Passa Tickets"),
            String::from_str(&env, "PASSA"),
        );
        let id = match wasm {
            Some(wasm) => env.register(wasm, args),
            None => env.register(Ticketing, args),
        };
        mock_revenue::MockRevenueClient::new(&env, &revenue).wire(&id);
        let client = TicketingClient::new(&env, &id);
        client.verify_organizer(&organizer);
        Setup {
            env,
            id,
            client,
            admin,
            organizer,
            revenue,
            attribution,
            token,
            token_admin,
            next_token_id: core::cell::Cell::new(1),
        }
    }

    /// A new funded wallet.
    pub fn wallet(&self) -> Address {
        let wallet = Address::generate(&self.env);
        self.token_admin.mint(&wallet, &(10_000 * UNIT));
        wallet
    }

    /// Two tiers (GA, VIP), transferable, resaleable (cap 110 %, royalty 5 %), refundable.
    pub fn config(&self) -> EventConfig {
        let env = &self.env;
        EventConfig {
            payment_token: self.token.address.clone(),
            tiers: vec![
                env,
                TierConfig {
                    code: symbol_short!("GA"),
                    price: GA_PRICE,
                    supply: GA_SUPPLY,
                    max_per_wallet: GA_MAX,
                },
                TierConfig {
                    code: symbol_short!("VIP"),
                    price: VIP_PRICE,
                    supply: VIP_SUPPLY,
                    max_per_wallet: VIP_MAX,
                },
            ],
            sales_start: T0,
            sales_end: START,
            start: START,
            end: END,
            transferable: true,
            resaleable: true,
            refundable: true,
            resale_cap_bps: 11_000,
            royalty_bps: 500,
            metadata_uri: String::from_str(env, "https://passa.example/e/1.json"),
        }
    }

    /// Publishes an event with `config`; returns its id.
    pub fn create_with(&self, n: u8, config: &EventConfig) -> EventId {
        let event_id = event_id(&self.env, n);
        self.client.create_event(&self.organizer, &event_id, config);
        event_id
    }

    /// Publishes the default event number `n`.
    pub fn create(&self, n: u8) -> EventId {
        self.create_with(n, &self.config())
    }

    /// The first of `quantity` token ids no earlier call handed out (1, 2, 3, … in call order,
    /// as a platform backend allocating ids would), for `purchase`'s `first_token_id`.
    pub fn ids(&self, quantity: u32) -> u32 {
        let first = self.next_token_id.get();
        self.next_token_id.set(first.saturating_add(quantity));
        first
    }

    /// Buys `quantity` GA tickets of `event_id` for `buyer`, at the next free ids.
    pub fn buy(&self, buyer: &Address, event_id: &EventId, quantity: u32) -> Vec<u32> {
        self.client
            .purchase(buyer, event_id, &0, &self.ids(quantity), &quantity, &None)
    }

    /// Moves the ledger clock to `timestamp` (and the sequence forward by the same number of
    /// 5-second ledgers).
    pub fn set_time(&self, timestamp: u64) {
        let now = self.env.ledger().timestamp();
        let seq = self.env.ledger().sequence();
        let ledgers = timestamp.saturating_sub(now) / 5;
        self.env.ledger().with_mut(|li| {
            li.timestamp = timestamp;
            li.sequence_number = seq + ledgers as u32;
        });
    }

    /// Runs `f` inside the ticketing contract (to read its storage directly).
    pub fn inside<T>(&self, f: impl FnOnce() -> T) -> T {
        self.env.as_contract(&self.id, f)
    }

    /// A tier as stored.
    pub fn tier(&self, event_id: &EventId, index: u32) -> crate::types::Tier {
        self.client.tier(event_id, &index)
    }

    /// Tickets of a tier bought by `wallet` (stored only where the limit can bind).
    pub fn bought(&self, event_id: &EventId, tier: u32, wallet: &Address) -> u32 {
        let key = crate::storage::key::bought(&self.env, event_id.clone(), tier, wallet.clone());
        self.inside(|| crate::storage::load(&self.env, &key).unwrap_or(0))
    }

    /// A referrer's commission rate, bps.
    pub fn rate(&self, event_id: &EventId, referrer: &Address) -> u32 {
        let key = crate::storage::key::referral_rate(&self.env, event_id.clone(), referrer.clone());
        self.inside(|| crate::storage::load(&self.env, &key).unwrap_or(0))
    }

    /// Whether `operator` is a gate operator of the event.
    pub fn is_gate(&self, event_id: &EventId, operator: &Address) -> bool {
        self.client.is_gate_operator(event_id, operator)
    }

    /// Whether the contract is paused.
    pub fn paused(&self) -> bool {
        self.client.paused()
    }

    /// The ticketing contract's events of the last invocation.
    pub fn events(&self) -> std::vec::Vec<ContractEvent> {
        self.env
            .events()
            .all()
            .filter_by_contract(&self.id)
            .events()
            .to_vec()
    }

    /// `event` as emitted by the ticketing contract.
    pub fn xdr(&self, event: &impl Event) -> ContractEvent {
        event.to_xdr(&self.env, &self.id)
    }
}

/// Event id number `n` (a UUID-sized id).
pub fn event_id(env: &Env, n: u8) -> EventId {
    let mut bytes = [0u8; 16];
    bytes[15] = n;
    BytesN::from_array(env, &bytes)
}

/// `(signer, invocation of fn_name(args) on the ticketing contract, no sub-invocations)`, as
/// `env.auths()` lists it.
pub fn auth_of(
    s: &Setup,
    signer: &Address,
    fn_name: &str,
    args: Vec<Val>,
) -> (Address, AuthorizedInvocation) {
    (
        signer.clone(),
        AuthorizedInvocation {
            function: AuthorizedFunction::Contract((
                s.id.clone(),
                Symbol::new(&s.env, fn_name),
                args,
            )),
            sub_invocations: std::vec![],
        },
    )
}

/// From now on only `signer`'s authorization of `fn_name(args)` is available.
pub fn only_signer(s: &Setup, signer: &Address, fn_name: &str, args: Vec<Val>) {
    s.env.mock_auths(&[MockAuth {
        address: signer,
        invoke: &MockAuthInvoke {
            contract: &s.id,
            fn_name,
            args,
            sub_invokes: &[],
        },
    }]);
}

/// Calls `fn_name(args)` with only `signer`'s authorization of exactly that call available,
/// asserts that the host refuses it, and mocks all auths again. (A host failure inside a
/// `try_` call reaches the caller as `Error(Context, InvalidAction)`; the tests that use this
/// also show the same call going through with the right signer, and `should_panic` tests pin
/// the `Error(Auth, …)` itself.)
pub fn refused(s: &Setup, signer: &Address, fn_name: &str, args: Vec<Val>) {
    only_signer(s, signer, fn_name, args.clone());
    let result = s.env.try_invoke_contract::<Val, soroban_sdk::Error>(
        &s.id,
        &Symbol::new(&s.env, fn_name),
        args,
    );
    let refused = [
        soroban_sdk::Error::from_type_and_code(ScErrorType::Auth, ScErrorCode::InvalidAction),
        soroban_sdk::Error::from_type_and_code(ScErrorType::Context, ScErrorCode::InvalidAction),
    ];
    match result {
        Err(Ok(err)) if refused.contains(&err) => {}
        other => panic!("{fn_name} signed by the wrong address: {other:?}"),
    }
    s.env.mock_all_auths();
}

/// A contract error as the SEP-50 functions (which return no `Result`) abort with it.
pub fn aborted(err: crate::TicketingError) -> soroban_sdk::Error {
    soroban_sdk::Error::from_contract_error(err as u32)
}
