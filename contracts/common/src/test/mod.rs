//! Tests of the helpers through a minimal contract that wires them.

extern crate std;

use soroban_sdk::{
    contract, contracterror, contractimpl,
    testutils::{
        storage::Instance as _, storage::Persistent as _, Address as _, Ledger as _, MockAuth,
        MockAuthInvoke,
    },
    Address, Env, IntoVal,
};

use crate::admin_api::AdminApi;
use crate::{admin, pause, ttl, CommonError, CommonKey};

#[contracterror]
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
#[repr(u32)]
pub enum TestError {
    NotInitialized = 1,
    Paused = 2,
    NotPaused = 3,
    NoPendingAdmin = 4,
    InvalidTtl = 5,
}

impl From<CommonError> for TestError {
    fn from(e: CommonError) -> Self {
        match e {
            CommonError::NotInitialized => TestError::NotInitialized,
            CommonError::Paused => TestError::Paused,
            CommonError::NotPaused => TestError::NotPaused,
            CommonError::NoPendingAdmin => TestError::NoPendingAdmin,
            CommonError::InvalidTtl => TestError::InvalidTtl,
        }
    }
}

#[contract]
pub struct Harness;

#[contractimpl(contracttrait)]
impl AdminApi for Harness {}

#[contractimpl]
impl Harness {
    pub fn __constructor(env: Env, admin: Address) {
        admin::set_admin(&env, &admin);
    }
    pub fn guarded(env: Env) -> Result<u32, TestError> {
        pause::when_not_paused(&env)?;
        ttl::extend_instance(&env);
        Ok(7)
    }
    pub fn put(env: Env, k: u32, v: u32) {
        ttl::set_persistent(&env, &k, &v);
        ttl::extend_instance(&env);
    }
    pub fn get(env: Env, k: u32) -> Option<u32> {
        ttl::extend_instance(&env);
        ttl::get_persistent(&env, &k)
    }
}

fn setup() -> (Env, Address, HarnessClient<'static>) {
    let env = Env::default();
    let admin = Address::generate(&env);
    let id = env.register(Harness, (&admin,));
    let client = HarnessClient::new(&env, &id);
    (env, admin, client)
}

fn auth(
    env: &Env,
    who: &Address,
    contract: &Address,
    fn_name: &'static str,
    args: soroban_sdk::Vec<soroban_sdk::Val>,
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

#[test]
fn shared_entry_points() {
    let (env, admin, client) = setup();
    crate::testutils::admin_suite::run(&env, &client.address, &admin, None);
}

#[test]
fn pause_stops_guarded_paths() {
    let (env, admin, client) = setup();
    assert_eq!(client.guarded(), 7);
    auth(&env, &admin, &client.address, "pause", ().into_val(&env));
    client.pause();
    assert_eq!(client.try_guarded(), Err(Ok(TestError::Paused)));
    auth(&env, &admin, &client.address, "unpause", ().into_val(&env));
    client.unpause();
    assert_eq!(client.guarded(), 7);
}

/// `CommonError` is what the shared entry points return: its codes must stay those every
/// contract reserves (1–5).
#[test]
fn common_error_codes_are_stable() {
    for (e, code) in [
        (CommonError::NotInitialized, 1),
        (CommonError::Paused, 2),
        (CommonError::NotPaused, 3),
        (CommonError::NoPendingAdmin, 4),
        (CommonError::InvalidTtl, 5),
    ] {
        assert_eq!(e.code(), code);
        assert_eq!(
            soroban_sdk::Error::from(e),
            soroban_sdk::Error::from_contract_error(code)
        );
        assert_eq!(TestError::from(e) as u32, code);
    }
}

#[test]
fn ttl_survives_a_year_of_touches() {
    let (env, _admin, client) = setup();
    client.put(&1, &42);
    // A touch every 60 days for a year.
    for _ in 0..6 {
        env.ledger().with_mut(|l| {
            l.sequence_number += 60 * ttl::DAY_IN_LEDGERS;
            l.timestamp += 60 * 86_400;
        });
        assert_eq!(client.get(&1), Some(42));
        let live = env.as_contract(&client.address, || {
            env.storage().persistent().get_ttl(&1u32)
        });
        assert!(live >= ttl::PERSISTENT_TTL_THRESHOLD);
        let inst = env.as_contract(&client.address, || env.storage().instance().get_ttl());
        assert!(inst >= ttl::INSTANCE_TTL_THRESHOLD);
    }
}

/// The layout `CommonKey` was stored under before its encoding was written by hand.
mod derived {
    #[soroban_sdk::contracttype]
    pub enum CommonKey {
        Admin,
        PendingAdmin,
        Paused,
    }
}

#[test]
fn keys_encode_as_the_derived_enum() {
    use soroban_sdk::xdr::ScVal;
    use soroban_sdk::{TryFromVal, Val};
    let env = Env::default();
    let xdr = |v: Val| ScVal::try_from_val(&env, &v).unwrap();
    for (key, old) in [
        (CommonKey::Admin, derived::CommonKey::Admin),
        (CommonKey::PendingAdmin, derived::CommonKey::PendingAdmin),
        (CommonKey::Paused, derived::CommonKey::Paused),
    ] {
        let new: Val = key.into_val(&env);
        let old: Val = old.into_val(&env);
        assert_eq!(xdr(new), xdr(old), "{key:?}");
    }
    // And the state written under one is read under the other.
    let (env, admin, client) = setup();
    env.as_contract(&client.address, || {
        assert_eq!(
            env.storage()
                .instance()
                .get::<_, Address>(&derived::CommonKey::Admin),
            Some(admin.clone())
        );
        env.storage()
            .instance()
            .set(&derived::CommonKey::Paused, &true);
        assert!(pause::is_paused(&env));
    });
}
