//! Tests of the helpers through a minimal contract that wires them.

extern crate std;

use soroban_sdk::{
    contract, contracterror, contractimpl,
    testutils::{
        storage::Instance as _, storage::Persistent as _, Address as _, Events as _, Ledger as _,
        MockAuth, MockAuthInvoke,
    },
    Address, Env, Event, IntoVal,
};

use crate::events::{AdminTransferStarted, AdminTransferred, Paused, Unpaused};
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

#[contractimpl]
impl Harness {
    pub fn __constructor(env: Env, admin: Address) {
        admin::set_admin(&env, &admin);
    }
    pub fn admin(env: Env) -> Result<Address, TestError> {
        Ok(admin::get_admin(&env)?)
    }
    pub fn pending_admin(env: Env) -> Option<Address> {
        admin::get_pending_admin(&env)
    }
    pub fn transfer_admin(env: Env, new_admin: Address) -> Result<(), TestError> {
        Ok(admin::transfer_admin(&env, &new_admin)?)
    }
    pub fn accept_admin(env: Env) -> Result<(), TestError> {
        admin::accept_admin(&env)?;
        Ok(())
    }
    pub fn pause(env: Env) -> Result<(), TestError> {
        Ok(pause::pause(&env)?)
    }
    pub fn unpause(env: Env) -> Result<(), TestError> {
        Ok(pause::unpause(&env)?)
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
fn two_step_admin_transfer() {
    let (env, admin, client) = setup();
    let next = Address::generate(&env);
    auth(
        &env,
        &admin,
        &client.address,
        "transfer_admin",
        (&next,).into_val(&env),
    );
    client.transfer_admin(&next);
    assert_eq!(
        env.events().all(),
        std::vec![AdminTransferStarted {
            current: admin.clone(),
            pending: next.clone()
        }
        .to_xdr(&env, &client.address)]
    );
    assert_eq!(client.admin(), admin);
    assert_eq!(client.pending_admin(), Some(next.clone()));

    auth(
        &env,
        &next,
        &client.address,
        "accept_admin",
        ().into_val(&env),
    );
    client.accept_admin();
    assert_eq!(
        env.events().all(),
        std::vec![AdminTransferred {
            previous: admin.clone(),
            new_admin: next.clone()
        }
        .to_xdr(&env, &client.address)]
    );
    assert_eq!(client.admin(), next);
    assert_eq!(client.pending_admin(), None);
}

#[test]
fn transfer_admin_refuses_non_admin() {
    let (env, _admin, client) = setup();
    let mallory = Address::generate(&env);
    auth(
        &env,
        &mallory,
        &client.address,
        "transfer_admin",
        (&mallory,).into_val(&env),
    );
    assert!(client.try_transfer_admin(&mallory).is_err());
    assert_eq!(client.pending_admin(), None);
}

#[test]
fn accept_admin_refuses_other_than_pending() {
    let (env, admin, client) = setup();
    let next = Address::generate(&env);
    let mallory = Address::generate(&env);
    assert_eq!(
        client.try_accept_admin(),
        Err(Ok(TestError::NoPendingAdmin))
    );
    auth(
        &env,
        &admin,
        &client.address,
        "transfer_admin",
        (&next,).into_val(&env),
    );
    client.transfer_admin(&next);
    auth(
        &env,
        &mallory,
        &client.address,
        "accept_admin",
        ().into_val(&env),
    );
    assert!(client.try_accept_admin().is_err());
    assert_eq!(client.admin(), admin);
}

#[test]
fn proposing_current_admin_cancels() {
    let (env, admin, client) = setup();
    let next = Address::generate(&env);
    env.mock_all_auths();
    client.transfer_admin(&next);
    client.transfer_admin(&admin);
    assert_eq!(client.pending_admin(), None);
}

#[test]
fn pause_and_unpause() {
    let (env, admin, client) = setup();
    let mallory = Address::generate(&env);
    auth(&env, &mallory, &client.address, "pause", ().into_val(&env));
    assert!(client.try_pause().is_err());

    auth(&env, &admin, &client.address, "pause", ().into_val(&env));
    client.pause();
    assert_eq!(
        env.events().all(),
        std::vec![Paused {
            admin: admin.clone()
        }
        .to_xdr(&env, &client.address)]
    );
    assert_eq!(client.try_guarded(), Err(Ok(TestError::Paused)));
    auth(&env, &admin, &client.address, "pause", ().into_val(&env));
    assert_eq!(client.try_pause(), Err(Ok(TestError::Paused)));

    auth(
        &env,
        &mallory,
        &client.address,
        "unpause",
        ().into_val(&env),
    );
    assert!(client.try_unpause().is_err());
    auth(&env, &admin, &client.address, "unpause", ().into_val(&env));
    client.unpause();
    assert_eq!(
        env.events().all(),
        std::vec![Unpaused {
            admin: admin.clone()
        }
        .to_xdr(&env, &client.address)]
    );
    assert_eq!(client.guarded(), 7);
    auth(&env, &admin, &client.address, "unpause", ().into_val(&env));
    assert_eq!(client.try_unpause(), Err(Ok(TestError::NotPaused)));
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
