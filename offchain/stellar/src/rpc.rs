//! Talking to a Stellar RPC server: reading ledger entries, and the life of a Soroban
//! transaction — simulate, assemble, sign, send, wait.
//!
//! The steps are separate on purpose: a caller that must not lose track of a transaction (the
//! deploy registry) learns its hash from [`Signed::hash`] and stores it *before*
//! [`Rpc::send`], then [`Rpc::wait`]s for it. Every transaction carries a time bound
//! ([`TX_VALIDITY`]), so one whose fate is unknown after a crash is certainly dead once that
//! bound has passed.
//!
//! The client underneath is `stellar-rpc-client`, the crate stellar-cli uses.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use stellar_rpc_client::Client;
use stellar_xdr::{self as xdr, Limits, ReadXdr, WriteXdr};

use crate::keys::Signer;
use crate::network::Network;

/// How long a transaction stays valid after it is built (its `maxTime`).
pub const TX_VALIDITY: Duration = Duration::from_secs(300);
/// The inclusion fee offered on top of the resource fee, in stroops (Stellar's base fee).
pub const INCLUSION_FEE: u32 = 100;
/// How many ledgers a signed authorization stays valid (about 8 minutes at 5 s a ledger).
pub const AUTH_VALIDITY_LEDGERS: u32 = 100;
/// Per-request timeout towards the RPC server.
const REQUEST_TIMEOUT_SECS: u64 = 30;
/// XDR depth limit, the host's default.
const XDR_DEPTH: u32 = 500;

/// What can go wrong talking to the network.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RpcError {
    /// The server could not be reached at all.
    #[error("cannot reach the Stellar RPC server at {url}: {detail}")]
    Unreachable {
        /// The RPC URL.
        url: String,
        /// The transport's message.
        detail: String,
    },
    /// The server serves another network than the one asked for.
    #[error(
        "the RPC server at {url} serves the network \"{server}\", not \"{expected}\" \
         (check --network, --rpc-url and STELLAR_NETWORK_PASSPHRASE)"
    )]
    WrongNetwork {
        /// The RPC URL.
        url: String,
        /// The passphrase expected.
        expected: String,
        /// The passphrase the server reports.
        server: String,
    },
    /// A request failed or its answer could not be read.
    #[error("{method} failed: {detail}")]
    Request {
        /// The JSON-RPC method.
        method: &'static str,
        /// What went wrong.
        detail: String,
    },
    /// The source account does not exist on the network.
    #[error(
        "account {address} does not exist on {network}; fund it first \
         (`passa keys fund --network {network}` on local and testnet)"
    )]
    AccountMissing {
        /// The account.
        address: String,
        /// The network name.
        network: String,
    },
    /// Simulation says the call would fail.
    #[error("simulating {what} failed: {detail}")]
    Simulation {
        /// What was simulated.
        what: String,
        /// The server's explanation (host error, contract error code).
        detail: String,
    },
    /// The call needs an authorization this command cannot sign.
    #[error(
        "{what} needs the authorization of {address}; run it with that account's key as --source"
    )]
    ForeignAuth {
        /// What was simulated.
        what: String,
        /// The address whose signature is needed.
        address: String,
    },
    /// sendTransaction refused the transaction (it never reached a ledger).
    #[error("the network refused transaction {hash}: {code}{hint}")]
    Rejected {
        /// Its hash.
        hash: String,
        /// The result code, e.g. `txINSUFFICIENT_BALANCE`.
        code: String,
        /// What the code means for the user, if known.
        hint: String,
    },
    /// The transaction was included in a ledger and failed there.
    #[error("transaction {hash} failed in ledger {ledger}: {code}")]
    Failed {
        /// Its hash.
        hash: String,
        /// The ledger.
        ledger: u32,
        /// The result code(s), e.g. `txFAILED / INVOKE_HOST_FUNCTION_TRAPPED`.
        code: String,
    },
    /// The transaction was neither included nor failed before its time bound passed.
    #[error(
        "transaction {hash} was not included before it expired ({secs} s); nothing was applied"
    )]
    Expired {
        /// Its hash.
        hash: String,
        /// How long we waited.
        secs: u64,
    },
    /// Funding through the friendbot failed.
    #[error("friendbot at {url} could not fund {address}: {detail}")]
    Friendbot {
        /// The friendbot URL.
        url: String,
        /// The account.
        address: String,
        /// What it said.
        detail: String,
    },
    /// The network has no friendbot (mainnet).
    #[error("{network} has no friendbot: fund {address} from another account")]
    NoFriendbot {
        /// The network name.
        network: String,
        /// The account.
        address: String,
    },
    /// XDR could not be encoded or decoded.
    #[error("XDR: {0}")]
    Xdr(#[from] xdr::Error),
}

/// A connection to one network's RPC server, checked to serve that network.
#[derive(Clone)]
pub struct Rpc {
    client: Client,
    network: Network,
    friendbot_url: Option<String>,
}

/// A transaction ready to sign: simulated and assembled with its resources, fee and auth.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The assembled transaction.
    pub tx: xdr::Transaction,
    /// What simulation says the call returns.
    pub return_value: xdr::ScVal,
    /// The resource fee from simulation, in stroops.
    pub resource_fee: i64,
}

/// A signed transaction and its hash.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The envelope to send.
    pub envelope: xdr::TransactionEnvelope,
    /// The transaction hash, hex (64 lowercase digits), as stored in `transactions`.
    pub hash: String,
    /// The last moment it can be included (its time bound), Unix seconds.
    pub valid_until: u64,
}

/// A transaction that made it into a ledger and succeeded.
#[derive(Debug, Clone)]
pub struct Included {
    /// Its hash, hex.
    pub hash: String,
    /// The ledger sequence.
    pub ledger: u32,
    /// The ledger's close time, Unix seconds.
    pub closed_at: i64,
    /// The fee charged, in stroops.
    pub fee_charged: i64,
    /// The invocation's return value (Void for other operations).
    pub return_value: xdr::ScVal,
}

/// What getTransaction knows about a hash.
#[derive(Debug, Clone)]
pub enum TxStatus {
    /// Not (or no longer) known to the server.
    NotFound,
    /// Included and successful.
    Success(Included),
    /// Included and failed.
    Failed {
        /// The ledger.
        ledger: u32,
        /// The result code(s).
        code: String,
    },
}

impl Rpc {
    /// Connects to `network`'s RPC server and checks that it serves that network (by its
    /// passphrase), so nothing is ever signed for the wrong one.
    ///
    /// # Errors
    /// [`RpcError::Unreachable`] or [`RpcError::WrongNetwork`].
    pub async fn connect(network: &Network) -> Result<Self, RpcError> {
        let unreachable = |detail: String| RpcError::Unreachable {
            url: network.rpc_url.clone(),
            detail,
        };
        let client = Client::new(&network.rpc_url).map_err(|e| unreachable(e.to_string()))?;
        let server = client
            .get_network()
            .await
            .map_err(|e| unreachable(one_line(&e.to_string())))?;
        if server.passphrase != network.passphrase {
            return Err(RpcError::WrongNetwork {
                url: network.rpc_url.clone(),
                expected: network.passphrase.clone(),
                server: server.passphrase,
            });
        }
        Ok(Self {
            client,
            friendbot_url: server
                .friendbot_url
                .or_else(|| network.friendbot_url.clone()),
            network: network.clone(),
        })
    }

    /// The network this connection serves.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The latest closed ledger's sequence.
    ///
    /// # Errors
    /// [`RpcError::Request`].
    pub async fn latest_ledger(&self) -> Result<u32, RpcError> {
        self.client
            .get_latest_ledger()
            .await
            .map(|l| l.sequence)
            .map_err(request_error("getLatestLedger"))
    }

    /// The close time of the latest ledger, Unix seconds: the `now` contracts see (on a
    /// devnet with fast ledgers it runs ahead of the wall clock, a second per ledger at least).
    ///
    /// # Errors
    /// [`RpcError::Request`].
    pub async fn ledger_time(&self) -> Result<u64, RpcError> {
        let latest = self.latest_ledger().await?;
        let ledgers = self
            .client
            .get_ledgers(
                stellar_rpc_client::LedgerStart::Ledger(latest),
                Some(1),
                None,
            )
            .await
            .map_err(request_error("getLedgers"))?;
        Ok(u64::try_from(ledgers.latest_ledger_close_time).unwrap_or(0))
    }

    /// The network's notion of now, Unix seconds: the latest ledger's close time, or this
    /// machine's clock if that is later. Transactions' time bounds are checked against ledger
    /// close times, which on a devnet with fast ledgers run ahead of the wall clock.
    ///
    /// # Errors
    /// [`RpcError::Request`].
    pub async fn network_time(&self) -> Result<u64, RpcError> {
        Ok(self.ledger_time().await?.max(unix_now()))
    }

    /// The time bound of a transaction built now: [`TX_VALIDITY`] past the network's now.
    async fn valid_until(&self) -> Result<u64, RpcError> {
        Ok(self.network_time().await? + TX_VALIDITY.as_secs())
    }

    /// The account's entry, or `None` when it does not exist.
    ///
    /// # Errors
    /// [`RpcError::Request`].
    pub async fn account(
        &self,
        id: &xdr::AccountId,
    ) -> Result<Option<xdr::AccountEntry>, RpcError> {
        let key = xdr::LedgerKey::Account(xdr::LedgerKeyAccount {
            account_id: id.clone(),
        });
        Ok(match self.entry(&key).await? {
            Some(xdr::LedgerEntryData::Account(account)) => Some(account),
            _ => None,
        })
    }

    /// One ledger entry (live or archived), or `None` when the ledger has no such entry.
    ///
    /// # Errors
    /// [`RpcError::Request`].
    pub async fn entry(
        &self,
        key: &xdr::LedgerKey,
    ) -> Result<Option<xdr::LedgerEntryData>, RpcError> {
        Ok(self
            .entries(std::slice::from_ref(key))
            .await?
            .pop()
            .flatten())
    }

    /// Ledger entries for `keys`, in the same order, `None` for each missing one.
    ///
    /// # Errors
    /// [`RpcError::Request`].
    pub async fn entries(
        &self,
        keys: &[xdr::LedgerKey],
    ) -> Result<Vec<Option<xdr::LedgerEntryData>>, RpcError> {
        let mut found = vec![None; keys.len()];
        // The server answers at most 200 keys per request.
        for (chunk_index, chunk) in keys.chunks(200).enumerate() {
            let response = self
                .client
                .get_ledger_entries(chunk)
                .await
                .map_err(request_error("getLedgerEntries"))?;
            for entry in response.entries.unwrap_or_default() {
                let key = xdr::LedgerKey::from_xdr_base64(&entry.key, limits())?;
                let data = xdr::LedgerEntryData::from_xdr_base64(&entry.xdr, limits())?;
                if let Some(i) = chunk.iter().position(|k| *k == key) {
                    found[chunk_index * 200 + i] = Some(data);
                }
            }
        }
        Ok(found)
    }

    /// Simulates `host_function` sent by `signer` and assembles the transaction: the next
    /// sequence number, a time bound, the resources and fee from simulation, and the recorded
    /// authorizations (only the source account's own, which its envelope signature covers).
    /// Archived entries the call needs are restored first, with a transaction of their own.
    ///
    /// `what` names the call in error messages.
    ///
    /// # Errors
    /// [`RpcError::AccountMissing`], [`RpcError::Simulation`], [`RpcError::ForeignAuth`],
    /// [`RpcError::Request`], and the errors of sending a restore.
    pub async fn prepare(
        &self,
        signer: &Signer,
        host_function: xdr::HostFunction,
        what: &str,
    ) -> Result<Prepared, RpcError> {
        self.prepare_signed(signer, &[], host_function, what).await
    }

    /// As [`Rpc::prepare`], and signs the authorizations the call needs from other accounts
    /// with `others` (e.g. the receiver of a ticket transfer, who must consent too). After
    /// signing, the call is simulated again with the signed entries, so the resources include
    /// verifying the signatures.
    ///
    /// # Errors
    /// As [`Rpc::prepare`]; [`RpcError::ForeignAuth`] names an address none of the keys
    /// signs for.
    pub async fn prepare_signed(
        &self,
        signer: &Signer,
        others: &[&Signer],
        host_function: xdr::HostFunction,
        what: &str,
    ) -> Result<Prepared, RpcError> {
        let mut invoke = xdr::InvokeHostFunctionOp {
            host_function,
            auth: xdr::VecM::default(),
        };
        let source = signer.account_id();
        let op = xdr::OperationBody::InvokeHostFunction(invoke.clone());
        let mut seq = self.next_seq(signer).await?;
        let mut sim = self.simulate(&source, seq, op.clone(), what).await?;
        if let Some(preamble) = sim.restore_preamble.take() {
            self.restore(signer, &preamble, what).await?;
            seq = self.next_seq(signer).await?;
            sim = self.simulate(&source, seq, op, what).await?;
        }
        let mut result = first_result(&sim, what)?;
        let foreign = result
            .auth
            .iter()
            .any(|e| matches!(e.credentials, xdr::SorobanCredentials::Address(_)));
        if foreign {
            let expiration = sim.latest_ledger.saturating_add(AUTH_VALIDITY_LEDGERS);
            for entry in &mut result.auth {
                self.sign_auth(entry, signer, others, expiration, what)?;
            }
            invoke.auth = result.auth.clone().try_into()?;
            let op = xdr::OperationBody::InvokeHostFunction(invoke.clone());
            sim = self.simulate(&source, seq, op, what).await?;
            result.xdr = first_result(&sim, what)?.xdr;
        } else {
            invoke.auth = result.auth.try_into()?;
        }
        let data = sim
            .transaction_data()
            .map_err(request_error("simulateTransaction"))?;
        // The fee must cover the resource fee the transaction declares (which is what the
        // network checks), whatever the server reported beside it.
        let resource_fee = sim
            .min_resource_fee
            .max(u64::try_from(data.resource_fee).unwrap_or(0));
        let op = xdr::OperationBody::InvokeHostFunction(invoke);
        Ok(Prepared {
            tx: transaction(
                &source,
                seq,
                op,
                data,
                resource_fee,
                self.valid_until().await?,
            )?,
            return_value: result.xdr,
            resource_fee: i64::try_from(resource_fee).unwrap_or(i64::MAX),
        })
    }

    /// Signs an authorization entry with address credentials by whichever key owns the
    /// address; entries covered by the source account's signature are left as they are.
    fn sign_auth(
        &self,
        entry: &mut xdr::SorobanAuthorizationEntry,
        source: &Signer,
        others: &[&Signer],
        expiration: u32,
        what: &str,
    ) -> Result<(), RpcError> {
        let xdr::SorobanCredentials::Address(credentials) = &mut entry.credentials else {
            return Ok(());
        };
        let key = std::iter::once(source)
            .chain(others.iter().copied())
            .find(|k| k.sc_address() == credentials.address)
            .ok_or_else(|| RpcError::ForeignAuth {
                what: what.to_owned(),
                address: crate::keys::address_strkey(&credentials.address),
            })?;
        credentials.signature_expiration_ledger = expiration;
        let preimage =
            xdr::HashIdPreimage::SorobanAuthorization(xdr::HashIdPreimageSorobanAuthorization {
                network_id: xdr::Hash(self.network.id()),
                nonce: credentials.nonce,
                signature_expiration_ledger: expiration,
                invocation: entry.root_invocation.clone(),
            });
        let payload: [u8; 32] = Sha256::digest(preimage.to_xdr(Limits::none())?).into();
        let signature = key.sign(&payload);
        let field = |name: &str, bytes: Vec<u8>| -> Result<xdr::ScMapEntry, RpcError> {
            Ok(xdr::ScMapEntry {
                key: xdr::ScVal::Symbol(xdr::ScSymbol(name.try_into()?)),
                val: xdr::ScVal::Bytes(xdr::ScBytes(bytes.try_into()?)),
            })
        };
        // An account's signature: a vector of {public_key, signature} maps (keys sorted).
        let map = xdr::ScMap(
            vec![
                field("public_key", key.public_key().to_vec())?,
                field("signature", signature.to_vec())?,
            ]
            .try_into()?,
        );
        credentials.signature = xdr::ScVal::Vec(Some(xdr::ScVec(
            vec![xdr::ScVal::Map(Some(map))].try_into()?,
        )));
        Ok(())
    }

    /// Simulates a read-only call of `function` on `contract` and returns its result; nothing
    /// is signed or sent. `reader` is the simulated source account.
    ///
    /// # Errors
    /// [`RpcError::Simulation`] (e.g. the contract has no such function),
    /// [`RpcError::Request`].
    pub async fn read(
        &self,
        reader: &xdr::AccountId,
        contract: &xdr::ScAddress,
        function: &str,
        args: Vec<xdr::ScVal>,
    ) -> Result<xdr::ScVal, RpcError> {
        let host_function = invoke_contract(contract, function, args)?;
        let what = format!("{function} on {}", crate::keys::address_strkey(contract));
        let op = xdr::OperationBody::InvokeHostFunction(xdr::InvokeHostFunctionOp {
            host_function,
            auth: xdr::VecM::default(),
        });
        let sim = self.simulate(reader, 1, op, &what).await?;
        let results = sim
            .results()
            .map_err(request_error("simulateTransaction"))?;
        results
            .into_iter()
            .next()
            .map(|r| r.xdr)
            .ok_or(RpcError::Simulation {
                what,
                detail: "the server returned no result".to_owned(),
            })
    }

    async fn simulate(
        &self,
        source: &xdr::AccountId,
        seq: i64,
        op: xdr::OperationBody,
        what: &str,
    ) -> Result<stellar_rpc_client::SimulateTransactionResponse, RpcError> {
        // Simulation ignores the time bound; any will do.
        let tx = transaction(
            source,
            seq,
            op,
            xdr::SorobanTransactionData::default(),
            0,
            u64::MAX,
        )?;
        let envelope = envelope(tx, vec![])?;
        let sim = self
            .client
            .simulate_transaction_envelope(&envelope, None)
            .await
            .map_err(request_error("simulateTransaction"))?;
        if let Some(error) = &sim.error {
            return Err(RpcError::Simulation {
                what: what.to_owned(),
                detail: simulation_summary(error),
            });
        }
        Ok(sim)
    }

    /// The sequence number `signer`'s next transaction must carry.
    async fn next_seq(&self, signer: &Signer) -> Result<i64, RpcError> {
        let account =
            self.account(&signer.account_id())
                .await?
                .ok_or_else(|| RpcError::AccountMissing {
                    address: signer.address(),
                    network: self.network.name.to_string(),
                })?;
        Ok(account.seq_num.0.saturating_add(1))
    }

    /// Restores the archived entries a simulation asked for.
    async fn restore(
        &self,
        signer: &Signer,
        preamble: &stellar_rpc_client::RestorePreamble,
        what: &str,
    ) -> Result<Included, RpcError> {
        tracing::info!(%what, "restoring archived entries first");
        let data =
            xdr::SorobanTransactionData::from_xdr_base64(&preamble.transaction_data, limits())?;
        let op = xdr::OperationBody::RestoreFootprint(xdr::RestoreFootprintOp {
            ext: xdr::ExtensionPoint::V0,
        });
        let seq = self.next_seq(signer).await?;
        let resource_fee = preamble
            .min_resource_fee
            .max(u64::try_from(data.resource_fee).unwrap_or(0));
        let valid_until = self.valid_until().await?;
        let tx = transaction(
            &signer.account_id(),
            seq,
            op,
            data,
            resource_fee,
            valid_until,
        )?;
        let signed = self.sign(tx, signer)?;
        self.send(&signed).await?;
        self.wait(&signed).await
    }

    /// Prepares (signing `others`' authorizations), signs, sends and waits for one call: for
    /// callers that need not record the transaction before it is sent.
    ///
    /// # Errors
    /// As [`Rpc::prepare_signed`], [`Rpc::send`] and [`Rpc::wait`].
    pub async fn submit(
        &self,
        source: &Signer,
        others: &[&Signer],
        host_function: xdr::HostFunction,
        what: &str,
    ) -> Result<Included, RpcError> {
        let prepared = self
            .prepare_signed(source, others, host_function, what)
            .await?;
        let signed = self.sign(prepared.tx, source)?;
        self.send(&signed).await?;
        self.wait(&signed).await
    }

    /// Signs `tx` for this network.
    ///
    /// # Errors
    /// [`RpcError::Xdr`] if the transaction cannot be encoded.
    pub fn sign(&self, tx: xdr::Transaction, signer: &Signer) -> Result<Signed, RpcError> {
        let valid_until = match &tx.cond {
            xdr::Preconditions::Time(bounds) => bounds.max_time.0,
            _ => u64::MAX,
        };
        let hash = tx.hash(self.network.id())?;
        let envelope = envelope(tx, vec![signer.decorated_signature(&hash)])?;
        Ok(Signed {
            envelope,
            hash: hex::encode(hash),
            valid_until,
        })
    }

    /// Sends a signed transaction. Accepted (`PENDING`) and already-known (`DUPLICATE`) are
    /// success; `TRY_AGAIN_LATER` is retried with backoff; `ERROR` is [`RpcError::Rejected`]
    /// with the result code.
    ///
    /// # Errors
    /// [`RpcError::Rejected`], [`RpcError::Request`].
    pub async fn send(&self, signed: &Signed) -> Result<(), RpcError> {
        use jsonrpsee_core::client::ClientT as _;
        let mut params = jsonrpsee_core::params::ObjectParams::new();
        params
            .insert("transaction", signed.envelope.to_xdr_base64(limits())?)
            .map_err(|e| RpcError::Request {
                method: "sendTransaction",
                detail: e.to_string(),
            })?;
        let mut delay = Duration::from_millis(500);
        loop {
            let response: stellar_rpc_client::SendTransactionResponse = self
                .client
                .client()
                .request("sendTransaction", params.clone())
                .await
                .map_err(|e| RpcError::Request {
                    method: "sendTransaction",
                    detail: one_line(&e.to_string()),
                })?;
            match response.status.as_str() {
                "PENDING" | "DUPLICATE" => return Ok(()),
                "TRY_AGAIN_LATER" if self.network_time().await? < signed.valid_until => {
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
                "ERROR" => {
                    let code = match response.error_result_xdr {
                        Some(x) => {
                            result_code(&xdr::TransactionResult::from_xdr_base64(x, limits())?)
                        }
                        None => "ERROR".to_owned(),
                    };
                    return Err(RpcError::Rejected {
                        hash: signed.hash.clone(),
                        hint: rejection_hint(&code),
                        code,
                    });
                }
                other => {
                    return Err(RpcError::Request {
                        method: "sendTransaction",
                        detail: format!("unexpected status {other}"),
                    })
                }
            }
        }
    }

    /// What the server knows about transaction `hash` (hex).
    ///
    /// # Errors
    /// [`RpcError::Request`].
    pub async fn status(&self, hash: &str) -> Result<TxStatus, RpcError> {
        let parsed: xdr::Hash = hash.parse().map_err(|_| RpcError::Request {
            method: "getTransaction",
            detail: format!("\"{hash}\" is not a transaction hash"),
        })?;
        let response = self
            .client
            .get_transaction(&parsed)
            .await
            .map_err(request_error("getTransaction"))?;
        let ledger = response.ledger.unwrap_or_default();
        Ok(match response.status.as_str() {
            "SUCCESS" => TxStatus::Success(Included {
                hash: hash.to_owned(),
                ledger,
                closed_at: response.created_at.unwrap_or_default(),
                fee_charged: response.result.as_ref().map_or(0, |r| r.fee_charged),
                return_value: response.return_value().unwrap_or(xdr::ScVal::Void),
            }),
            "FAILED" => TxStatus::Failed {
                ledger,
                code: response
                    .result
                    .as_ref()
                    .map_or_else(|| "FAILED".to_owned(), result_code),
            },
            _ => TxStatus::NotFound,
        })
    }

    /// Waits until `signed` is included (success) or failed, or its time bound has passed.
    ///
    /// # Errors
    /// [`RpcError::Failed`], [`RpcError::Expired`], [`RpcError::Request`].
    pub async fn wait(&self, signed: &Signed) -> Result<Included, RpcError> {
        self.wait_for(&signed.hash, signed.valid_until).await
    }

    /// Waits for transaction `hash` until it is decided or `valid_until` (Unix seconds) has
    /// passed by a ledger's margin.
    ///
    /// # Errors
    /// As [`Rpc::wait`].
    pub async fn wait_for(&self, hash: &str, valid_until: u64) -> Result<Included, RpcError> {
        let started = unix_now();
        let mut delay = Duration::from_millis(100);
        loop {
            match self.status(hash).await? {
                TxStatus::Success(included) => return Ok(included),
                TxStatus::Failed { ledger, code } => {
                    return Err(RpcError::Failed {
                        hash: hash.to_owned(),
                        ledger,
                        code,
                    })
                }
                // A ledger's margin (6 s on the public networks) past the time bound, so a
                // ledger closing exactly at the bound has been seen.
                TxStatus::NotFound
                    if self.network_time().await? > valid_until.saturating_add(10) =>
                {
                    return Err(RpcError::Expired {
                        hash: hash.to_owned(),
                        secs: unix_now().saturating_sub(started),
                    })
                }
                TxStatus::NotFound => {
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(2));
                }
            }
        }
    }

    /// Creates and funds `address` through the network's friendbot, and waits until the
    /// account is visible. An account that already exists is left as it is.
    ///
    /// # Errors
    /// [`RpcError::NoFriendbot`], [`RpcError::Friendbot`].
    pub async fn fund(&self, account: &xdr::AccountId) -> Result<(), RpcError> {
        let address = crate::keys::address_strkey(&xdr::ScAddress::Account(account.clone()));
        if self.account(account).await?.is_some() {
            return Ok(());
        }
        let url = self
            .friendbot_url
            .clone()
            .ok_or_else(|| RpcError::NoFriendbot {
                network: self.network.name.to_string(),
                address: address.clone(),
            })?;
        let failed = |detail: String| RpcError::Friendbot {
            url: url.clone(),
            address: address.clone(),
            detail,
        };
        let response = reqwest::Client::builder()
            .timeout(Duration::from_secs(REQUEST_TIMEOUT_SECS))
            .build()
            .map_err(|e| failed(e.to_string()))?
            .get(&url)
            .query(&[("addr", &address)])
            .send()
            .await
            .map_err(|e| failed(one_line(&e.to_string())))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            // Funded concurrently by someone else: fine.
            if self.account(account).await?.is_none() {
                return Err(failed(format!("HTTP {status}: {}", one_line(&body))));
            }
        }
        let deadline = unix_now() + REQUEST_TIMEOUT_SECS;
        while self.account(account).await?.is_none() {
            if unix_now() > deadline {
                return Err(failed("the account did not appear within 30 s".to_owned()));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok(())
    }
}

/// The ledger key of a contract's instance.
pub fn instance_key(contract: &xdr::ScAddress) -> xdr::LedgerKey {
    xdr::LedgerKey::ContractData(xdr::LedgerKeyContractData {
        contract: contract.clone(),
        key: xdr::ScVal::LedgerKeyContractInstance,
        durability: xdr::ContractDataDurability::Persistent,
    })
}

/// The ledger key of uploaded wasm.
pub fn code_key(hash: [u8; 32]) -> xdr::LedgerKey {
    xdr::LedgerKey::ContractCode(xdr::LedgerKeyContractCode {
        hash: xdr::Hash(hash),
    })
}

/// The address of the native asset's (XLM's) contract on `network`.
///
/// # Errors
/// [`xdr::Error`] only if the preimage cannot be encoded.
pub fn native_asset_contract(network: &Network) -> Result<xdr::ScAddress, xdr::Error> {
    let preimage = xdr::HashIdPreimage::ContractId(xdr::HashIdPreimageContractId {
        network_id: xdr::Hash(network.id()),
        contract_id_preimage: xdr::ContractIdPreimage::Asset(xdr::Asset::Native),
    });
    let bytes = preimage.to_xdr(Limits::none())?;
    Ok(xdr::ScAddress::Contract(xdr::ContractId(xdr::Hash(
        Sha256::digest(bytes).into(),
    ))))
}

/// A host function invoking `function(args)` on `contract`.
///
/// # Errors
/// [`RpcError::Xdr`] for a function name longer than 32 characters or too many arguments.
pub fn invoke_contract(
    contract: &xdr::ScAddress,
    function: &str,
    args: Vec<xdr::ScVal>,
) -> Result<xdr::HostFunction, RpcError> {
    Ok(xdr::HostFunction::InvokeContract(xdr::InvokeContractArgs {
        contract_address: contract.clone(),
        function_name: xdr::ScSymbol(function.try_into()?),
        args: args.try_into()?,
    }))
}

/// A one-operation transaction from `source` with sequence number `seq`, the fee (inclusion +
/// resource) and a time bound of [`TX_VALIDITY`].
fn transaction(
    source: &xdr::AccountId,
    seq: i64,
    op: xdr::OperationBody,
    data: xdr::SorobanTransactionData,
    resource_fee: u64,
    max_time: u64,
) -> Result<xdr::Transaction, RpcError> {
    let xdr::AccountId(xdr::PublicKey::PublicKeyTypeEd25519(key)) = source;
    let fee = u32::try_from(resource_fee)
        .ok()
        .and_then(|f| f.checked_add(INCLUSION_FEE))
        .unwrap_or(u32::MAX);
    Ok(xdr::Transaction {
        source_account: xdr::MuxedAccount::Ed25519(key.clone()),
        fee,
        seq_num: xdr::SequenceNumber(seq),
        cond: xdr::Preconditions::Time(xdr::TimeBounds {
            min_time: xdr::TimePoint(0),
            max_time: xdr::TimePoint(max_time),
        }),
        memo: xdr::Memo::None,
        operations: vec![xdr::Operation {
            source_account: None,
            body: op,
        }]
        .try_into()?,
        ext: xdr::TransactionExt::V1(data),
    })
}

fn envelope(
    tx: xdr::Transaction,
    signatures: Vec<xdr::DecoratedSignature>,
) -> Result<xdr::TransactionEnvelope, RpcError> {
    Ok(xdr::TransactionEnvelope::Tx(xdr::TransactionV1Envelope {
        tx,
        signatures: signatures.try_into()?,
    }))
}

fn first_result(
    sim: &stellar_rpc_client::SimulateTransactionResponse,
    what: &str,
) -> Result<stellar_rpc_client::SimulateHostFunctionResult, RpcError> {
    sim.results()
        .map_err(request_error("simulateTransaction"))?
        .into_iter()
        .next()
        .ok_or_else(|| RpcError::Simulation {
            what: what.to_owned(),
            detail: "the server returned no result".to_owned(),
        })
}

fn limits() -> Limits {
    Limits::depth(XDR_DEPTH)
}

/// Seconds since the Unix epoch, by this machine's clock.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn request_error(method: &'static str) -> impl Fn(stellar_rpc_client::Error) -> RpcError {
    move |e| RpcError::Request {
        method,
        detail: one_line(&e.to_string()),
    }
}

/// Text on one line, whitespace runs collapsed.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The useful part of a simulation error: the host error, without the event log dump.
fn simulation_summary(error: &str) -> String {
    let head = error.split("Event log").next().unwrap_or(error);
    one_line(head)
}

/// The result code of a transaction result, as the network names it: `txINSUFFICIENT_BALANCE`,
/// or `txFAILED / INVOKE_HOST_FUNCTION_TRAPPED` with the operation's code.
pub fn result_code(result: &xdr::TransactionResult) -> String {
    let tx_code = format!(
        "tx{}",
        screaming(result.result.name().trim_start_matches("Tx"))
    );
    let ops = match &result.result {
        xdr::TransactionResultResult::TxFailed(ops) => ops.as_slice(),
        _ => &[],
    };
    let op_codes: Vec<String> = ops
        .iter()
        .map(|op| match op {
            xdr::OperationResult::OpInner(inner) => match inner {
                xdr::OperationResultTr::InvokeHostFunction(r) => screaming(r.name()),
                xdr::OperationResultTr::RestoreFootprint(r) => screaming(r.name()),
                xdr::OperationResultTr::ExtendFootprintTtl(r) => screaming(r.name()),
                other => screaming(other.name()),
            },
            other => screaming(other.name()),
        })
        .collect();
    if op_codes.is_empty() {
        tx_code
    } else {
        format!("{tx_code} / {}", op_codes.join(", "))
    }
}

/// `InsufficientBalance` → `INSUFFICIENT_BALANCE`.
fn screaming(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn rejection_hint(code: &str) -> String {
    let hint = match code {
        "txINSUFFICIENT_BALANCE" => {
            "the source account cannot pay the fee without going below its minimum balance; \
             add XLM to it"
        }
        "txINSUFFICIENT_FEE" => "the fee offered is below the network's current minimum",
        "txBAD_SEQ" => "the sequence number is stale (another transaction from this account got in first); retry",
        "txNO_ACCOUNT" => "the source account does not exist",
        "txBAD_AUTH" => "the signature does not match the source account on this network",
        "txTOO_LATE" => "the transaction's time bound passed before it was sent; retry",
        _ => return String::new(),
    };
    format!(" ({hint})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_codes_read_like_the_network_s() {
        let result = xdr::TransactionResult {
            fee_charged: 100,
            result: xdr::TransactionResultResult::TxInsufficientBalance,
            ext: xdr::TransactionResultExt::V0,
        };
        assert_eq!(result_code(&result), "txINSUFFICIENT_BALANCE");
        let failed = xdr::TransactionResult {
            fee_charged: 100,
            result: xdr::TransactionResultResult::TxFailed(
                vec![xdr::OperationResult::OpInner(
                    xdr::OperationResultTr::InvokeHostFunction(
                        xdr::InvokeHostFunctionResult::Trapped,
                    ),
                )]
                .try_into()
                .unwrap(),
            ),
            ext: xdr::TransactionResultExt::V0,
        };
        assert_eq!(result_code(&failed), "txFAILED / TRAPPED");
        assert!(rejection_hint("txINSUFFICIENT_BALANCE").contains("minimum balance"));
        assert_eq!(rejection_hint("txSOMETHING"), "");
    }

    #[test]
    fn simulation_errors_lose_the_event_dump() {
        assert_eq!(
            simulation_summary(
                "HostError: Error(Contract, #3)\n\nEvent log (newest first):\n 0: ..."
            ),
            "HostError: Error(Contract, #3)"
        );
    }
}
