//! What the integration tests share: a `passa devnet` in this process, funded keys, the
//! contracts deployed.
//!
//! Each test file that uses it says `mod support;`; not every file uses every function.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use passa::demo::Contracts;
use passa_deploy::deploy::{self, DeployOptions, Quiet};
use passa_deploy::registry::ContractKind;
use passa_devnet::{Devnet, DevnetOptions};
use passa_stellar::keys::{self, Signer};
use passa_stellar::network::{Network, NetworkName};
use passa_stellar::rpc::Rpc;
use sqlx::PgPool;

/// A devnet on a free loopback port, closing a ledger every 100 ms, and a client for it.
pub struct Local {
    /// The network.
    pub devnet: Devnet,
    /// Connected to it.
    pub rpc: Rpc,
}

/// Starts a devnet and connects to it.
pub async fn devnet() -> Local {
    devnet_at(None).await
}

/// Starts a devnet (with its state in `state_dir` when given) and connects to it.
pub async fn devnet_at(state_dir: Option<std::path::PathBuf>) -> Local {
    let devnet = Devnet::start(DevnetOptions {
        listen: "127.0.0.1:0".parse().expect("an address"),
        ledger_close: Duration::from_millis(100),
        state_dir,
        ..Default::default()
    })
    .await
    .expect("the devnet starts");
    let network =
        Network::resolve(NetworkName::Local, Some(&devnet.rpc_url()), None).expect("a network");
    let rpc = Rpc::connect(&network).await.expect("the devnet answers");
    Local { devnet, rpc }
}

/// A new key whose account the friendbot created and funded.
pub async fn funded(rpc: &Rpc) -> Signer {
    let signer = Signer::generate().expect("a key");
    rpc.fund(&signer.account_id())
        .await
        .expect("friendbot funds");
    signer
}

/// target/wasm, checked to hold the three contracts.
pub fn wasm_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/wasm");
    for kind in ContractKind::ALL {
        let file = dir.join(kind.wasm_file());
        assert!(
            file.is_file(),
            "{} is missing: build the contracts with scripts/build-contracts.sh",
            file.display()
        );
    }
    dir
}

/// Deploys the three contracts with `admin` as the source and returns their addresses.
pub async fn deployed(rpc: &Rpc, pool: &PgPool, admin: &Signer) -> Contracts {
    let mut conn = pool.acquire().await.expect("a connection");
    let report = deploy::deploy(
        rpc,
        &mut conn,
        admin,
        &DeployOptions::new(wasm_dir()),
        &Quiet,
    )
    .await
    .expect("deployed");
    let address = |i: usize| keys::parse_address(&report.contracts[i].address).expect("address");
    Contracts {
        ticketing: address(0),
        attribution: address(1),
        revenue: address(2),
    }
}

/// Runs `command` off the test's runtime thread: the devnet serves from that thread (a tokio
/// test runs a current-thread runtime), so blocking it would starve the server the child talks to.
pub async fn output(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("the passa binary runs"))
        .await
        .expect("the child's waiter")
}
