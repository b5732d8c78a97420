//! Test-only stand-in for the ticketing contract (feature `testutils`), used by the
//! attribution and revenue tests before and besides the real ticketing contract.
//!
//! It implements the three functions the other contracts call (`event_ledger`,
//! `referral_commission`, `set_referral_rate`) plus hooks to script sales and refunds.
//! The rules mirror `contracts/INTERFACES.md`: `set_referral_rate` needs the attribution
//! contract's auth; a sale adds `floor(amount × rate / 10 000)` commission; a refund reverses
//! it and asks revenue to pay the holder (`pay_refund(event_id, token, holder, amount)`).
extern crate std;

use soroban_sdk::{
    contract, contracterror, contractimpl, contracttype, Address, Env, IntoVal, Symbol,
};

use crate::{EventId, EventLedger, EventStatus, BPS_DENOMINATOR};

#[contracttype]
#[derive(Clone)]
enum MockKey {
    Attribution,
    Revenue,
    Event(EventId),
    Rate(EventId, Address),
    Commission(EventId, Address),
}

/// Errors of the mock.
#[contracterror]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
#[repr(u32)]
pub enum MockTicketingError {
    EventNotFound = 1,
}

/// The mock ticketing contract.
#[contract]
pub struct MockTicketing;

#[contractimpl]
impl MockTicketing {
    /// Wires the attribution and revenue contracts.
    pub fn wire(env: Env, attribution: Address, revenue: Address) {
        env.storage()
            .instance()
            .set(&MockKey::Attribution, &attribution);
        env.storage().instance().set(&MockKey::Revenue, &revenue);
    }

    /// Creates or replaces an event's ledger (status `Published`/`Postponed`/`Cancelled`;
    /// `Completed` is derived from `now ≥ end` as ticketing does).
    pub fn set_event(env: Env, event_id: EventId, ledger: EventLedger) {
        env.storage()
            .persistent()
            .set(&MockKey::Event(event_id), &ledger);
    }

    /// The event's ledger.
    pub fn event_ledger(env: Env, event_id: EventId) -> Result<EventLedger, MockTicketingError> {
        let mut ledger: EventLedger = env
            .storage()
            .persistent()
            .get(&MockKey::Event(event_id))
            .ok_or(MockTicketingError::EventNotFound)?;
        if ledger.status != EventStatus::Cancelled && env.ledger().timestamp() >= ledger.end {
            ledger.status = EventStatus::Completed;
        }
        Ok(ledger)
    }

    /// Sets a referrer's commission rate; attribution only.
    pub fn set_referral_rate(env: Env, event_id: EventId, referrer: Address, bps: u32) {
        let attribution: Address = env.storage().instance().get(&MockKey::Attribution).unwrap();
        attribution.require_auth();
        env.storage()
            .persistent()
            .set(&MockKey::Rate(event_id, referrer), &bps);
    }

    /// A referrer's commission rate (0 if none).
    pub fn referral_rate(env: Env, event_id: EventId, referrer: Address) -> u32 {
        env.storage()
            .persistent()
            .get(&MockKey::Rate(event_id, referrer))
            .unwrap_or(0)
    }

    /// Commission owed to a referrer.
    pub fn referral_commission(env: Env, event_id: EventId, referrer: Address) -> i128 {
        env.storage()
            .persistent()
            .get(&MockKey::Commission(event_id, referrer))
            .unwrap_or(0)
    }

    /// Books a sale of `amount` (the buyer's payment is made by the test) with an optional
    /// referrer; returns the commission it earned.
    pub fn record_sale(
        env: Env,
        event_id: EventId,
        amount: i128,
        referrer: Option<Address>,
    ) -> i128 {
        let mut ledger = Self::stored(&env, &event_id);
        ledger.gross_sales += amount;
        let mut commission = 0;
        if let Some(referrer) = referrer {
            let rate = Self::referral_rate(env.clone(), event_id.clone(), referrer.clone());
            commission = amount * rate as i128 / BPS_DENOMINATOR as i128;
            let owed = Self::referral_commission(env.clone(), event_id.clone(), referrer.clone());
            env.storage().persistent().set(
                &MockKey::Commission(event_id.clone(), referrer),
                &(owed + commission),
            );
            ledger.commissions += commission;
        }
        env.storage()
            .persistent()
            .set(&MockKey::Event(event_id), &ledger);
        commission
    }

    /// Books a resale royalty (paid into the escrow by the test).
    pub fn record_royalty(env: Env, event_id: EventId, amount: i128) {
        let mut ledger = Self::stored(&env, &event_id);
        ledger.royalties += amount;
        env.storage()
            .persistent()
            .set(&MockKey::Event(event_id), &ledger);
    }

    /// Refunds a ticket of face value `amount` that earned `commission` for `referrer`:
    /// books it and calls `revenue.pay_refund`.
    pub fn refund(
        env: Env,
        event_id: EventId,
        holder: Address,
        amount: i128,
        referrer: Option<Address>,
        commission: i128,
    ) {
        let mut ledger = Self::stored(&env, &event_id);
        ledger.refunds += amount;
        if let Some(referrer) = referrer {
            let owed = Self::referral_commission(env.clone(), event_id.clone(), referrer.clone());
            env.storage().persistent().set(
                &MockKey::Commission(event_id.clone(), referrer),
                &(owed - commission),
            );
            ledger.commissions -= commission;
        }
        env.storage()
            .persistent()
            .set(&MockKey::Event(event_id.clone()), &ledger);
        let revenue: Address = env.storage().instance().get(&MockKey::Revenue).unwrap();
        let args = (event_id, ledger.payment_token, holder, amount).into_val(&env);
        env.invoke_contract::<()>(&revenue, &Symbol::new(&env, "pay_refund"), args);
    }

    fn stored(env: &Env, event_id: &EventId) -> EventLedger {
        env.storage()
            .persistent()
            .get(&MockKey::Event(event_id.clone()))
            .unwrap()
    }
}

/// Authorization helpers for tests: mock exactly one signer for one call, and assert exactly
/// who authorized the last call.
pub mod auth {
    extern crate std;
    use soroban_sdk::testutils::{
        AuthorizedFunction, AuthorizedInvocation, MockAuth, MockAuthInvoke,
    };
    use soroban_sdk::{Address, Env, Symbol, Val, Vec};

    /// Lets only `who` authorize the next call of `contract.fn_name(args)`.
    pub fn sign(
        env: &Env,
        who: &Address,
        contract: &Address,
        fn_name: &'static str,
        args: Vec<Val>,
    ) {
        env.mock_auths(&[MockAuth {
            address: who,
            invoke: &MockAuthInvoke {
                contract,
                fn_name,
                args,
                sub_invokes: &[],
            },
        }]);
    }

    /// Asserts that the last call was authorized by exactly `who`, for `contract.fn_name(args)`
    /// and nothing else.
    pub fn assert_only(
        env: &Env,
        who: &Address,
        contract: &Address,
        fn_name: &str,
        args: Vec<Val>,
    ) {
        assert_eq!(
            env.auths(),
            std::vec![(
                who.clone(),
                AuthorizedInvocation {
                    function: AuthorizedFunction::Contract((
                        contract.clone(),
                        Symbol::new(env, fn_name),
                        args,
                    )),
                    sub_invocations: std::vec![],
                }
            )]
        );
    }
}

/// One test of the shared entry points ([`crate::admin_api::AdminApi`]) that every contract
/// runs against itself, natively and against its built wasm: each privileged function refused
/// for the wrong signer (with only that signer's authorization available, and the state left
/// as it was), then done by the right one with exactly that signer's authorization and exactly
/// the expected event, and every error path.
pub mod admin_suite {
    extern crate std;

    use soroban_sdk::testutils::{Address as _, Events as _};
    use soroban_sdk::{Address, BytesN, Env, Event, IntoVal, Val, Vec};

    use super::auth;
    use crate::admin_api::AdminApiClient;
    use crate::events::{AdminTransferStarted, AdminTransferred, Paused, Unpaused, Upgraded};
    use crate::CommonError;

    fn assert_events(env: &Env, contract: &Address, expected: &[&dyn Event]) {
        let want: std::vec::Vec<_> = expected.iter().map(|e| e.to_xdr(env, contract)).collect();
        assert_eq!(env.events().all().filter_by_contract(contract), want);
    }

    fn no_args(env: &Env) -> Vec<Val> {
        Vec::new(env)
    }

    /// Runs the suite against `contract`, whose admin is `admin` and which is not paused.
    /// With `wasm`, also upgrades the contract to that code (uploaded here) by the admin; a
    /// natively registered contract passes `None` (only the refusals of `upgrade` are run).
    /// Leaves the contract unpaused, with `admin` as its admin again.
    pub fn run(env: &Env, contract: &Address, admin: &Address, wasm: Option<&[u8]>) {
        let c = AdminApiClient::new(env, contract);
        let mallory = Address::generate(env);
        let next = Address::generate(env);
        assert_eq!(c.admin(), *admin);
        assert_eq!(c.pending_admin(), None);
        assert!(!c.paused());

        // ---- transfer_admin / accept_admin
        let args: Vec<Val> = (&mallory,).into_val(env);
        auth::sign(env, &mallory, contract, "transfer_admin", args);
        assert!(matches!(c.try_transfer_admin(&mallory), Err(Err(_))));
        assert_eq!(c.pending_admin(), None);

        auth::sign(env, &admin.clone(), contract, "accept_admin", no_args(env));
        assert_eq!(c.try_accept_admin(), Err(Ok(CommonError::NoPendingAdmin)));

        let args: Vec<Val> = (&next,).into_val(env);
        auth::sign(env, admin, contract, "transfer_admin", args.clone());
        c.transfer_admin(&next);
        auth::assert_only(env, admin, contract, "transfer_admin", args);
        assert_events(
            env,
            contract,
            &[&AdminTransferStarted {
                current: admin.clone(),
                pending: next.clone(),
            }],
        );
        assert_eq!(c.pending_admin(), Some(next.clone()));
        assert_eq!(c.admin(), *admin);

        // the current admin cannot accept for the proposed one
        auth::sign(env, admin, contract, "accept_admin", no_args(env));
        assert!(matches!(c.try_accept_admin(), Err(Err(_))));
        assert_eq!(c.admin(), *admin);

        auth::sign(env, &next, contract, "accept_admin", no_args(env));
        c.accept_admin();
        auth::assert_only(env, &next, contract, "accept_admin", no_args(env));
        assert_events(
            env,
            contract,
            &[&AdminTransferred {
                previous: admin.clone(),
                new_admin: next.clone(),
            }],
        );
        assert_eq!(c.admin(), next);
        assert_eq!(c.pending_admin(), None);

        // the old admin has no power left; hand back (and cancel a proposal on the way)
        auth::sign(env, admin, contract, "pause", no_args(env));
        assert!(matches!(c.try_pause(), Err(Err(_))));
        let args: Vec<Val> = (&mallory,).into_val(env);
        auth::sign(env, &next, contract, "transfer_admin", args);
        c.transfer_admin(&mallory);
        let args: Vec<Val> = (&next,).into_val(env);
        auth::sign(env, &next, contract, "transfer_admin", args);
        c.transfer_admin(&next);
        assert_events(env, contract, &[]);
        assert_eq!(c.pending_admin(), None, "proposing oneself cancels");
        let args: Vec<Val> = (admin,).into_val(env);
        auth::sign(env, &next, contract, "transfer_admin", args);
        c.transfer_admin(admin);
        auth::sign(env, admin, contract, "accept_admin", no_args(env));
        c.accept_admin();
        assert_eq!(c.admin(), *admin);

        // ---- pause / unpause
        auth::sign(env, &mallory, contract, "pause", no_args(env));
        assert!(matches!(c.try_pause(), Err(Err(_))));
        assert!(!c.paused());
        auth::sign(env, admin, contract, "unpause", no_args(env));
        assert_eq!(c.try_unpause(), Err(Ok(CommonError::NotPaused)));

        auth::sign(env, admin, contract, "pause", no_args(env));
        c.pause();
        auth::assert_only(env, admin, contract, "pause", no_args(env));
        assert_events(
            env,
            contract,
            &[&Paused {
                admin: admin.clone(),
            }],
        );
        assert!(c.paused());
        auth::sign(env, admin, contract, "pause", no_args(env));
        assert_eq!(c.try_pause(), Err(Ok(CommonError::Paused)));

        auth::sign(env, &mallory, contract, "unpause", no_args(env));
        assert!(matches!(c.try_unpause(), Err(Err(_))));
        assert!(c.paused());
        auth::sign(env, admin, contract, "unpause", no_args(env));
        c.unpause();
        auth::assert_only(env, admin, contract, "unpause", no_args(env));
        assert_events(
            env,
            contract,
            &[&Unpaused {
                admin: admin.clone(),
            }],
        );
        assert!(!c.paused());

        // ---- upgrade
        let hash = match wasm {
            Some(code) => env.deployer().upload_contract_wasm(code),
            None => BytesN::from_array(env, &[7; 32]),
        };
        let args: Vec<Val> = (&hash,).into_val(env);
        auth::sign(env, &mallory, contract, "upgrade", args.clone());
        assert!(matches!(c.try_upgrade(&hash), Err(Err(_))));
        if wasm.is_some() {
            auth::sign(env, admin, contract, "upgrade", args.clone());
            c.upgrade(&hash);
            auth::assert_only(env, admin, contract, "upgrade", args);
            assert_events(env, contract, &[&Upgraded { wasm_hash: hash }]);
            assert_eq!(c.admin(), *admin, "storage survives the upgrade");
        }
        env.mock_all_auths();
    }
}

/// Measuring a call as a validator runs it: on its footprint only.
///
/// The soroban test host keeps every ledger entry of a test in one metered map, so a call's
/// measured cost grows with the number of entries the test created, even entries the call
/// never touches (a claim among 3 000 contributors measured ~18 M instructions in the Env
/// that created them, ~1.3 M on its footprint). A validator loads only the transaction's
/// footprint.
pub mod footprint {
    extern crate std;

    use std::rc::Rc;
    use std::vec::Vec;

    use soroban_sdk::testutils::EnvTestConfig;
    use soroban_sdk::xdr::{LedgerKey, ScVal};
    use soroban_sdk::{Env, IntoVal, TryFromVal, Val};

    /// `v`, a value of Env `from`, as a value of Env `to` (host objects belong to one Env;
    /// the value is carried over as its XDR).
    pub fn port<T>(from: &Env, to: &Env, v: &T) -> T
    where
        T: IntoVal<Env, Val> + TryFromVal<Env, Val>,
    {
        let sc = ScVal::try_from_val(from, &v.into_val(from)).unwrap();
        let val = Val::try_from_val(to, &sc).unwrap();
        T::try_from_val(to, &val).ok().unwrap()
    }

    /// Runs `call` on the state of `a` as a validator would, and returns the Env it ran in
    /// (read the figures with `env.cost_estimate().resources()`) and the number of entries
    /// in the footprint.
    ///
    /// The state of `a` is snapshotted; `call` runs once in a fresh Env loaded from the whole
    /// snapshot only to learn which entries it touches (the test host loads entries from a
    /// snapshot lazily, so afterwards its storage holds exactly the footprint); then `call`
    /// runs again in another fresh Env loaded with only those entries, contract code and
    /// instances included, with the module cache built before the call (as a validator's
    /// is). `prepare` runs in each fresh Env before the call (e.g. to register native test
    /// contracts again, which a snapshot does not carry); all auths are mocked and the
    /// budget unlimited. `a` is not changed.
    pub fn on_footprint(a: &Env, prepare: &dyn Fn(&Env), call: &dyn Fn(&Env)) -> (Env, usize) {
        let snap = a.to_ledger_snapshot();
        let quiet = || EnvTestConfig {
            capture_snapshot_at_drop: false,
        };
        let setup = |env: &Env| {
            prepare(env);
            env.mock_all_auths();
            env.cost_estimate().budget().reset_unlimited();
        };
        let mut b = Env::from_ledger_snapshot(snap.clone());
        b.set_config(quiet());
        setup(&b);
        call(&b);
        let keys: Vec<LedgerKey> = b
            .host()
            .get_stored_entries()
            .unwrap()
            .into_iter()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| (*k).clone())
            .collect();
        let mut only = snap;
        only.ledger_entries.retain(|(k, _)| keys.contains(k));
        let size = only.ledger_entries.len();
        let mut c = Env::from_ledger_snapshot(only);
        c.set_config(quiet());
        setup(&c);
        for k in &keys {
            if matches!(k, LedgerKey::ContractCode(_)) {
                c.host().get_ledger_entry(&Rc::new(k.clone())).unwrap();
            }
        }
        c.host()
            .ensure_module_cache_contains_host_storage_contracts()
            .unwrap();
        call(&c);
        (c, size)
    }
}
