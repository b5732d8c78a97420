//! Test contract for passa-devnet: a constructor, an authorised counter with an event,
//! and temporary storage to watch entries expire.
#![no_std]
use soroban_sdk::{contract, contractevent, contractimpl, contracttype, Address, Env};

#[contracttype]
#[derive(Clone)]
pub enum DataKey {
    Admin,
    Start,
    Counter(Address),
    Temp(u32),
}

/// Published on every bump; the first topic is `bumped`, the second the caller.
#[contractevent(data_format = "single-value")]
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Bumped {
    #[topic]
    pub caller: Address,
    pub value: u32,
}

#[contract]
pub struct DevnetTestContract;

#[contractimpl]
impl DevnetTestContract {
    /// Stores the admin and the value every counter starts from.
    pub fn __constructor(env: Env, admin: Address, start: u32) {
        env.storage().instance().set(&DataKey::Admin, &admin);
        env.storage().instance().set(&DataKey::Start, &start);
    }

    /// Adds `by` to the caller's counter (the caller must authorise it) and returns it.
    pub fn bump(env: Env, caller: Address, by: u32) -> u32 {
        caller.require_auth();
        let key = DataKey::Counter(caller.clone());
        let start: u32 = env.storage().instance().get(&DataKey::Start).unwrap_or(0);
        let new = env.storage().persistent().get(&key).unwrap_or(start) + by;
        env.storage().persistent().set(&key, &new);
        Bumped { caller, value: new }.publish(&env);
        new
    }

    /// The caller's counter, or the start value.
    pub fn get(env: Env, caller: Address) -> u32 {
        let start: u32 = env.storage().instance().get(&DataKey::Start).unwrap_or(0);
        env.storage().persistent().get(&DataKey::Counter(caller)).unwrap_or(start)
    }

    /// Writes a temporary entry (no auth): it lives the network's minimum temporary TTL.
    pub fn put_temp(env: Env, key: u32, val: u32) {
        env.storage().temporary().set(&DataKey::Temp(key), &val);
    }

    /// Reads a temporary entry.
    pub fn get_temp(env: Env, key: u32) -> Option<u32> {
        env.storage().temporary().get(&DataKey::Temp(key))
    }
}
