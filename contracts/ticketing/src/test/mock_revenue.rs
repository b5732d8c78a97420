//! A test-only stand-in for the revenue contract: it holds the escrow (its token balance) and
//! pays refunds on the ticketing contract's request, as `contracts/INTERFACES.md` specifies.

use passa_common::EventId;
use soroban_sdk::{contract, contractimpl, contracttype, token, Address, Env};

#[contracttype]
enum Key {
    Ticketing,
    Refunded,
    Refusing,
}

#[contract]
pub struct MockRevenue;

#[contractimpl]
impl MockRevenue {
    /// Wires the ticketing contract (the real revenue takes it in its constructor).
    pub fn wire(env: Env, ticketing: Address) {
        env.storage().instance().set(&Key::Ticketing, &ticketing);
    }

    /// Pays `amount` from the escrow to `holder`; ticketing only.
    pub fn pay_refund(env: Env, _event_id: EventId, token: Address, holder: Address, amount: i128) {
        let ticketing: Address = env.storage().instance().get(&Key::Ticketing).unwrap();
        ticketing.require_auth();
        if env.storage().instance().has(&Key::Refusing) {
            panic!("refunds refused");
        }
        token::TokenClient::new(&env, &token).transfer(
            &env.current_contract_address(),
            &holder,
            &amount,
        );
        let total: i128 = env.storage().instance().get(&Key::Refunded).unwrap_or(0);
        env.storage()
            .instance()
            .set(&Key::Refunded, &(total + amount));
    }

    /// Makes `pay_refund` fail from now on (as the real revenue does after settlement).
    pub fn refuse(env: Env) {
        env.storage().instance().set(&Key::Refusing, &true);
    }

    /// Σ refunds paid.
    pub fn refunded(env: Env) -> i128 {
        env.storage().instance().get(&Key::Refunded).unwrap_or(0)
    }
}
