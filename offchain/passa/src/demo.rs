//! `passa demo`: a scripted season of activity on a deployment, with real wallets signing real
//! transactions — what `scripts/dev.sh` shows and what the end-to-end sync test mirrors.
//!
//! The season, on a network with a friendbot (local or testnet):
//! - the admin verifies an organizer, who creates two events paid in XLM (the native asset's
//!   contract), each with a general-admission and a VIP tier;
//! - attribution both ways: the organizer proposes an artist (20 % of the pool) and a sponsor
//!   (a fixed 30 XLM) who accept; a promoter submits a 5 % commission the organizer approves;
//!   a creator's submission is rejected;
//! - fans buy tickets (some referred by the promoter), one ticket is transferred (both parties
//!   sign), one is listed and delisted, one is resold under the cap;
//! - once the main event starts, a gate operator and the organizer check tickets in;
//! - the second event is cancelled and one holder takes a refund;
//! - once the main event ends, the organizer settles it and every payee claims.

use std::time::Duration;

use sha2::{Digest, Sha256};
use stellar_xdr as xdr;

use passa_stellar::keys::Signer;
use passa_stellar::rpc::{self, Included, Rpc, RpcError};
use passa_stellar::scval::{self, DecodeError, EncodeError};

/// One XLM in stroops (the native asset has 7 decimals).
pub const XLM: i128 = 10_000_000;

/// Why the season stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// A call failed on the network.
    #[error("{step}: {source}")]
    Call {
        /// The step of the season.
        step: String,
        /// What the network said.
        #[source]
        source: RpcError,
    },
    /// A value could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The platform's rows for the season could not be written.
    #[error("writing the season's users, wallets and events: {0}")]
    Db(#[from] sqlx::Error),
    /// A contract answered something unexpected.
    #[error("{step}: {source}")]
    Decode {
        /// The step of the season.
        step: String,
        /// What was wrong.
        #[source]
        source: DecodeError,
    },
}

/// The deployment's three contracts.
#[derive(Debug, Clone)]
pub struct Contracts {
    /// Tickets.
    pub ticketing: xdr::ScAddress,
    /// Contributions.
    pub attribution: xdr::ScAddress,
    /// Escrow and payouts.
    pub revenue: xdr::ScAddress,
}

/// Everyone who takes part, each with a funded account.
pub struct Cast {
    /// The deployment's admin (verifies the organizer).
    pub admin: Signer,
    /// Runs both events.
    pub organizer: Signer,
    /// Performs; paid a percentage.
    pub artist: Signer,
    /// Refers buyers; paid a commission.
    pub promoter: Signer,
    /// Paid a fixed amount.
    pub sponsor: Signer,
    /// Submits a contribution that is rejected.
    pub creator: Signer,
    /// Checks tickets in at the door.
    pub gate: Signer,
    /// Buy, transfer, resell, attend, get refunds.
    pub fans: [Signer; 4],
}

impl Cast {
    /// New keys for everyone but the admin, funded through the friendbot.
    ///
    /// # Errors
    /// [`DemoError::Call`] when funding fails.
    pub async fn new(rpc: &Rpc, admin: Signer) -> Result<Self, DemoError> {
        let key = || {
            Signer::generate().map_err(|e| {
                call_error(
                    "generate a key",
                    RpcError::Request {
                        method: "keygen",
                        detail: e.to_string(),
                    },
                )
            })
        };
        let cast = Self {
            admin,
            organizer: key()?,
            artist: key()?,
            promoter: key()?,
            sponsor: key()?,
            creator: key()?,
            gate: key()?,
            fans: [key()?, key()?, key()?, key()?],
        };
        for who in cast.everyone() {
            rpc.fund(&who.account_id())
                .await
                .map_err(|e| call_error("fund the cast", e))?;
        }
        Ok(cast)
    }

    fn everyone(&self) -> Vec<&Signer> {
        let mut all = vec![
            &self.organizer,
            &self.artist,
            &self.promoter,
            &self.sponsor,
            &self.creator,
            &self.gate,
        ];
        all.extend(self.fans.iter());
        all
    }
}

/// How long the main event lasts, in ledger time. Its start is chosen when it is created:
/// far enough ahead (measured in ledger seconds per transaction on this network) for the
/// sales, transfers and resales to happen before it.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Transactions' worth of ledger time from creation to start.
    pub lead_transactions: u64,
    /// Transactions' worth of ledger time from start to end (check-ins happen in between).
    pub length_transactions: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            lead_transactions: 24,
            length_transactions: 6,
        }
    }
}

/// A ticket at the end of the season.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeasonTicket {
    /// Its token id.
    pub token_id: u32,
    /// Its event.
    pub event_id: [u8; 16],
    /// The tier's index.
    pub tier: u32,
    /// Its owner at the end (`None`: burned by a refund).
    pub owner: Option<String>,
    /// purchased, used or refunded.
    pub status: &'static str,
}

/// What the season did, for checking a mirror against.
#[derive(Debug, Clone)]
pub struct SeasonReport {
    /// The main event (settled).
    pub main_event: [u8; 16],
    /// The cancelled event.
    pub cancelled_event: [u8; 16],
    /// The organizer's address.
    pub organizer: String,
    /// Every ticket minted.
    pub tickets: Vec<SeasonTicket>,
    /// Amounts claimed per payee address, raw units.
    pub claims: Vec<(String, i128)>,
    /// Transactions sent.
    pub transactions: usize,
}

fn call_error(step: &str, source: RpcError) -> DemoError {
    DemoError::Call {
        step: step.to_owned(),
        source,
    }
}

fn decode_error(step: &str, source: DecodeError) -> DemoError {
    DemoError::Decode {
        step: step.to_owned(),
        source,
    }
}

/// An event id: 16 bytes shaped like a random UUID, derived from `seed` and `name`.
pub fn event_id(seed: &str, name: &str) -> [u8; 16] {
    let digest = Sha256::digest(format!("passa-demo:{seed}:{name}"));
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    id[6] = (id[6] & 0x0f) | 0x40; // version 4
    id[8] = (id[8] & 0x3f) | 0x80; // RFC 4122 variant
    id
}

const INSERT_USER: &str = "
INSERT INTO users (username, email) VALUES ($1, $2)
ON CONFLICT (email) DO UPDATE SET username = EXCLUDED.username
RETURNING user_id";

const INSERT_WALLET: &str = "
INSERT INTO wallets (user_id, wallet_address, blockchain_network, is_primary, label)
VALUES ($1, $2, 'stellar', true, 'passa demo')
ON CONFLICT (blockchain_network, wallet_address) DO NOTHING";

const INSERT_ORGANIZER: &str = "
INSERT INTO organizers (user_id, company_name, business_type)
VALUES ($1, 'Passa Demo Events', 'company')
ON CONFLICT (user_id) DO NOTHING";

const INSERT_EVENT: &str = "
INSERT INTO events (event_id, organizer_user_id, title, slug, start_datetime, end_datetime,
                    status, currency)
VALUES ($1, $2, $3, $4, now() + interval '1 day', now() + interval '2 days', 'draft', 'XLM')
ON CONFLICT (event_id) DO NOTHING";

/// Writes what the web backend would hold before the season: a user with a primary Stellar
/// wallet for each member of the cast but the fourth fan (whose tickets must mirror with the
/// address and no user), the organizer's profile, and the two events as drafts under the ids
/// the season will use. Safe to run twice.
///
/// # Errors
/// [`DemoError::Db`].
pub async fn register_off_chain(
    conn: &mut sqlx::PgConnection,
    cast: &Cast,
    seed: &str,
) -> Result<(), DemoError> {
    use sqlx::Connection as _;
    let mut tx = conn.begin().await?;
    let mut members: Vec<(&str, &Signer)> = vec![
        ("organizer", &cast.organizer),
        ("artist", &cast.artist),
        ("promoter", &cast.promoter),
        ("sponsor", &cast.sponsor),
        ("creator", &cast.creator),
        ("gate", &cast.gate),
    ];
    for (i, fan) in cast.fans.iter().take(3).enumerate() {
        members.push((["fan1", "fan2", "fan3"][i], fan));
    }
    let mut organizer_id = None;
    for (role, who) in members {
        let tag = &who.address()[..10].to_ascii_lowercase();
        let user_id: uuid::Uuid = sqlx::query_scalar(INSERT_USER)
            .bind(format!("{role}_{tag}"))
            .bind(format!("{role}.{tag}@demo.passa.example"))
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(INSERT_WALLET)
            .bind(user_id)
            .bind(who.address())
            .execute(&mut *tx)
            .await?;
        if role == "organizer" {
            organizer_id = Some(user_id);
        }
    }
    let organizer_id = organizer_id.unwrap_or_else(|| unreachable!("the organizer is a member"));
    sqlx::query(INSERT_ORGANIZER)
        .bind(organizer_id)
        .execute(&mut *tx)
        .await?;
    for (name, title) in [
        ("main", "Nairobi Nights"),
        ("cancelled", "Mombasa Sunset (cancelled)"),
    ] {
        let id = uuid::Uuid::from_bytes(event_id(seed, name));
        sqlx::query(INSERT_EVENT)
            .bind(id)
            .bind(organizer_id)
            .bind(title)
            .bind(format!("demo-{name}-{}", &id.simple().to_string()[..8]))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The first token id a season with `seed` mints: a number derived from the seed, so that
/// seasons run with different seeds on one deployment name different ids (ticketing's
/// `purchase` mints the ids its caller chooses, global to the deployment). The season's
/// tickets follow it in purchase order, so it leaves room for a few thousand.
pub fn first_token_id(seed: &str) -> u32 {
    let digest = Sha256::digest(format!("passa-demo-ids:{seed}"));
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    n.min(u32::MAX - 4_096)
}

/// Runs the season; `seed` makes the event ids and the token ids (run it again with another
/// seed for new events). Progress goes to `tracing` and `on_step`.
///
/// # Errors
/// [`DemoError`]: the first call that fails, named by its step.
pub async fn season(
    rpc: &Rpc,
    contracts: &Contracts,
    cast: &Cast,
    seed: &str,
    timing: Timing,
    on_step: &(dyn Fn(&str) + Sync),
) -> Result<SeasonReport, DemoError> {
    let mut s = Season {
        rpc,
        contracts,
        cast,
        sent: 0,
        next_token_id: first_token_id(seed),
        on_step,
    };
    s.run(seed, timing).await
}

struct Season<'a> {
    rpc: &'a Rpc,
    contracts: &'a Contracts,
    cast: &'a Cast,
    sent: usize,
    /// The first id of the next purchase (ids are chosen by the caller of `purchase`).
    next_token_id: u32,
    on_step: &'a (dyn Fn(&str) + Sync),
}

impl Season<'_> {
    /// Sends one call signed by `source` (and `others` for their authorizations).
    async fn call(
        &mut self,
        step: &str,
        source: &Signer,
        others: &[&Signer],
        contract: &xdr::ScAddress,
        function: &str,
        args: Vec<xdr::ScVal>,
    ) -> Result<Included, DemoError> {
        (self.on_step)(step);
        tracing::info!(%step, "demo");
        let err = |e| call_error(step, e);
        let host_function = rpc::invoke_contract(contract, function, args).map_err(err)?;
        let included = self
            .rpc
            .submit(source, others, host_function, step)
            .await
            .map_err(err)?;
        self.sent += 1;
        Ok(included)
    }

    async fn run(&mut self, seed: &str, timing: Timing) -> Result<SeasonReport, DemoError> {
        let stage = Stage {
            ticketing: self.contracts.ticketing.clone(),
            attribution: self.contracts.attribution.clone(),
            revenue: self.contracts.revenue.clone(),
            main: event_id(seed, "main"),
            cancelled: event_id(seed, "cancelled"),
        };
        let (start, end) = self.create_events(&stage, timing).await?;
        // Attribution, both ways, before the sales so the commission applies to them.
        self.contributions(&stage).await?;
        let sold = self.sales(&stage).await?;
        self.resale(&stage, &sold).await?;
        self.cancellation(&stage, &sold).await?;
        self.door(&stage, &sold, start).await?;
        let claims = self.money(&stage, end).await?;
        Ok(SeasonReport {
            main_event: stage.main,
            cancelled_event: stage.cancelled,
            organizer: self.cast.organizer.address(),
            tickets: sold.tickets(&stage, &self.cast.fans),
            claims,
            transactions: self.sent,
        })
    }

    /// The admin verifies the organizer, who creates both events paid in XLM; returns the
    /// main event's start and end (ledger time), far enough ahead for the season to fit.
    async fn create_events(
        &mut self,
        stage: &Stage,
        timing: Timing,
    ) -> Result<(u64, u64), DemoError> {
        let c = self.cast;
        let token = rpc::native_asset_contract(self.rpc.network())
            .map_err(|e| call_error("native asset", e.into()))?;
        let before = self.ledger_time().await?;
        self.call(
            "verify the organizer",
            &c.admin,
            &[],
            &stage.ticketing,
            "verify_organizer",
            vec![addr(&c.organizer)],
        )
        .await?;
        let now = self.ledger_time().await?;
        // Ledger seconds one transaction takes here, with a margin.
        let per_tx = now.saturating_sub(before).max(1) * 2;
        let start = now + per_tx * timing.lead_transactions.max(1);
        let end = start + per_tx * timing.length_transactions.max(1);
        for (id, name) in [(stage.main, "main"), (stage.cancelled, "cancelled")] {
            let config = event_config(&token, now, start, end, name, &SEASON_TIERS)?;
            let args = vec![addr(&c.organizer), scval::bytes(&id)?, config];
            self.call(
                &format!("create the {name} event"),
                &c.organizer,
                &[],
                &stage.ticketing,
                "create_event",
                args,
            )
            .await?;
        }
        Ok((start, end))
    }

    /// The artist and the sponsor accept the organizer's proposals; the promoter's
    /// submission is approved, the creator's rejected.
    async fn contributions(&mut self, stage: &Stage) -> Result<(), DemoError> {
        let c = self.cast;
        let a = &stage.attribution;
        let ev = scval::bytes(&stage.main)?;
        let share = |kind: &str, v: xdr::ScVal| scval::variant(kind, vec![v]);
        let propose = |who: &Signer, kind: u32, s: xdr::ScVal| {
            vec![ev.clone(), addr(who), scval::u32(kind), s]
        };
        let answer = |who: &Signer| vec![ev.clone(), addr(who)];
        let artist = propose(&c.artist, 0, share("Percentage", scval::u32(2_000))?);
        self.call(
            "propose the artist",
            &c.organizer,
            &[],
            a,
            "propose",
            artist,
        )
        .await?;
        self.call(
            "the artist accepts",
            &c.artist,
            &[],
            a,
            "accept",
            answer(&c.artist),
        )
        .await?;
        let sponsor = propose(&c.sponsor, 3, share("Fixed", scval::i128(30 * XLM))?);
        self.call(
            "propose the sponsor",
            &c.organizer,
            &[],
            a,
            "propose",
            sponsor,
        )
        .await?;
        self.call(
            "the sponsor accepts",
            &c.sponsor,
            &[],
            a,
            "accept",
            answer(&c.sponsor),
        )
        .await?;
        let promoter = propose(&c.promoter, 2, share("Commission", scval::u32(500))?);
        self.call(
            "the promoter submits",
            &c.promoter,
            &[],
            a,
            "submit",
            promoter,
        )
        .await?;
        let approve = answer(&c.promoter);
        self.call(
            "approve the promoter",
            &c.organizer,
            &[],
            a,
            "approve",
            approve,
        )
        .await?;
        let creator = propose(&c.creator, 1, share("Percentage", scval::u32(1_000))?);
        self.call("the creator submits", &c.creator, &[], a, "submit", creator)
            .await?;
        let reject = answer(&c.creator);
        self.call(
            "reject the creator",
            &c.organizer,
            &[&c.creator],
            a,
            "reject",
            reject,
        )
        .await?;
        Ok(())
    }

    /// The fans buy, some referred by the promoter, for both events.
    async fn sales(&mut self, stage: &Stage) -> Result<Sold, DemoError> {
        let c = self.cast;
        let [f1, f2, f3, _] = &c.fans;
        let (main, cancelled) = (stage.main, stage.cancelled);
        let promoter = Some(&c.promoter);
        let bought = self
            .purchase("fan 1 buys 2 GA via the promoter", f1, main, 0, 2, promoter)
            .await?;
        let (t1, t2) = (bought[0], bought[1]);
        let t3 = self
            .purchase("fan 2 buys 1 VIP", f2, main, 1, 1, None)
            .await?[0];
        let t4 = self
            .purchase("fan 3 buys 1 GA via the promoter", f3, main, 0, 1, promoter)
            .await?[0];
        let t5 = self
            .purchase("fan 1 buys for the second event", f1, cancelled, 0, 1, None)
            .await?[0];
        let t6 = self
            .purchase("fan 2 buys for the second event", f2, cancelled, 0, 1, None)
            .await?[0];
        Ok(Sold([t1, t2, t3, t4, t5, t6]))
    }

    /// A transfer both parties sign, a listing taken down, a resale under the cap.
    async fn resale(&mut self, stage: &Stage, sold: &Sold) -> Result<(), DemoError> {
        let [f1, f2, f3, f4] = &self.cast.fans;
        let t = &stage.ticketing;
        let [t1, t2, _, t4, _, _] = sold.0;
        let give = vec![addr(f1), addr(f4), scval::u32(t2)];
        self.call(
            "fan 1 gives a ticket to fan 4",
            f1,
            &[f4],
            t,
            "transfer",
            give,
        )
        .await?;
        let list = vec![addr(f1), scval::u32(t1), scval::i128(52 * XLM)];
        self.call("fan 1 lists a ticket", f1, &[], t, "list", list)
            .await?;
        let delist = vec![addr(f1), scval::u32(t1)];
        self.call("fan 1 delists it", f1, &[], t, "delist", delist)
            .await?;
        let list = vec![addr(f3), scval::u32(t4), scval::i128(55 * XLM)];
        self.call(
            "fan 3 lists a ticket under the cap",
            f3,
            &[],
            t,
            "list",
            list,
        )
        .await?;
        let buy = vec![addr(f2), scval::u32(t4)];
        self.call("fan 2 buys the listing", f2, &[], t, "buy_listing", buy)
            .await?;
        Ok(())
    }

    /// The second event is cancelled; one holder takes a refund.
    async fn cancellation(&mut self, stage: &Stage, sold: &Sold) -> Result<(), DemoError> {
        let (organizer, f1) = (&self.cast.organizer, &self.cast.fans[0]);
        let t = &stage.ticketing;
        let cancel = vec![addr(organizer), scval::bytes(&stage.cancelled)?];
        self.call(
            "cancel the second event",
            organizer,
            &[],
            t,
            "cancel_event",
            cancel,
        )
        .await?;
        let refund = vec![addr(f1), scval::u32(sold.0[4])];
        self.call("fan 1 takes a refund", f1, &[], t, "refund", refund)
            .await?;
        Ok(())
    }

    /// The door: a gate operator appointed; once the event starts, it and the organizer
    /// check tickets in.
    async fn door(&mut self, stage: &Stage, sold: &Sold, start: u64) -> Result<(), DemoError> {
        let c = self.cast;
        let t = &stage.ticketing;
        let [_, t2, t3, _, _, _] = sold.0;
        let appoint = vec![
            addr(&c.organizer),
            scval::bytes(&stage.main)?,
            addr(&c.gate),
        ];
        self.call(
            "appoint a gate operator",
            &c.organizer,
            &[],
            t,
            "set_gate_operator",
            appoint,
        )
        .await?;
        self.wait_for_ledger_time(start, "wait for the main event to start")
            .await?;
        let gate = vec![addr(&c.gate), scval::u32(t2)];
        self.call(
            "the gate checks fan 4 in",
            &c.gate,
            &[],
            t,
            "check_in",
            gate,
        )
        .await?;
        let organizer = vec![addr(&c.organizer), scval::u32(t3)];
        self.call(
            "the organizer checks fan 2 in",
            &c.organizer,
            &[],
            t,
            "check_in",
            organizer,
        )
        .await?;
        Ok(())
    }

    /// Once the main event ends: settled (the admin co-signs), and every payee claims;
    /// returns what each claimed.
    async fn money(&mut self, stage: &Stage, end: u64) -> Result<Vec<(String, i128)>, DemoError> {
        let c = self.cast;
        let (r, ev) = (&stage.revenue, scval::bytes(&stage.main)?);
        self.wait_for_ledger_time(end, "wait for the main event to end")
            .await?;
        let settle = vec![ev.clone()];
        self.call(
            "settle the main event",
            &c.organizer,
            &[&c.admin],
            r,
            "settle",
            settle,
        )
        .await?;
        let mut claims = Vec::new();
        for (who, name) in [
            (&c.artist, "the artist claims"),
            (&c.promoter, "the promoter claims"),
            (&c.sponsor, "the sponsor claims"),
            (&c.organizer, "the organizer claims"),
        ] {
            let included = self
                .call(name, who, &[], r, "claim", vec![ev.clone(), addr(who)])
                .await?;
            let amount =
                scval::to_i128(&included.return_value).map_err(|e| decode_error(name, e))?;
            claims.push((who.address(), amount));
        }
        Ok(claims)
    }

    async fn ledger_time(&self) -> Result<u64, DemoError> {
        self.rpc
            .ledger_time()
            .await
            .map_err(|e| call_error("read the ledger time", e))
    }

    /// Waits until a ledger has closed at or after `target` (Unix seconds, ledger time).
    async fn wait_for_ledger_time(&self, target: u64, step: &str) -> Result<(), DemoError> {
        (self.on_step)(step);
        while self.ledger_time().await? < target {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Ok(())
    }

    async fn purchase(
        &mut self,
        step: &str,
        buyer: &Signer,
        event: [u8; 16],
        tier: u32,
        quantity: u32,
        referrer: Option<&Signer>,
    ) -> Result<Vec<u32>, DemoError> {
        let first = self.next_token_id;
        let args = vec![
            addr(buyer),
            scval::bytes(&event)?,
            scval::u32(tier),
            scval::u32(first),
            scval::u32(quantity),
            scval::option(referrer.map(addr)),
        ];
        let t = self.contracts.ticketing.clone();
        let included = self.call(step, buyer, &[], &t, "purchase", args).await?;
        self.next_token_id = first.saturating_add(quantity);
        scval::to_u32_vec(&included.return_value).map_err(|e| decode_error(step, e))
    }
}

/// The deployment's contracts and the season's two events, as its phases use them.
struct Stage {
    ticketing: xdr::ScAddress,
    attribution: xdr::ScAddress,
    revenue: xdr::ScAddress,
    main: [u8; 16],
    cancelled: [u8; 16],
}

/// The season's six tickets in purchase order: fan 1's two GA, fan 2's VIP and fan 3's GA
/// for the main event; fan 1's and fan 2's for the cancelled one.
struct Sold([u32; 6]);

impl Sold {
    /// Each ticket as the season leaves it: fan 1 gave its second ticket to fan 4, fan 3
    /// resold to fan 2, fans 4 and 2 were checked in, fan 1's cancelled ticket was refunded.
    fn tickets(&self, stage: &Stage, fans: &[Signer; 4]) -> Vec<SeasonTicket> {
        let [f1, f2, _, f4] = fans;
        let [t1, t2, t3, t4, t5, t6] = self.0;
        let owner = |s: &Signer| Some(s.address());
        let ticket = |token_id, event_id, tier, owner, status| SeasonTicket {
            token_id,
            event_id,
            tier,
            owner,
            status,
        };
        let (main, cancelled) = (stage.main, stage.cancelled);
        vec![
            ticket(t1, main, 0, owner(f1), "purchased"),
            ticket(t2, main, 0, owner(f4), "used"),
            ticket(t3, main, 1, owner(f2), "used"),
            ticket(t4, main, 0, owner(f2), "purchased"),
            ticket(t5, cancelled, 0, None, "refunded"),
            ticket(t6, cancelled, 0, owner(f2), "purchased"),
        ]
    }
}

fn addr(s: &Signer) -> xdr::ScVal {
    scval::address(&s.sc_address())
}

/// A tier: code, price (raw units), supply, most tickets per wallet.
pub type TierSpec<'a> = (&'a str, i128, u32, u32);

/// The season's tiers: GA (50 XLM, 100 seats, 4 per wallet) and VIP (200 XLM, 10 seats, 2 per
/// wallet).
pub const SEASON_TIERS: [TierSpec<'static>; 2] =
    [("GA", 50 * XLM, 100, 4), ("VIP", 200 * XLM, 10, 2)];

/// An event's configuration paid in `token` with `tiers`; transferable, resaleable up to
/// 110 % with a 5 % royalty, refundable; sales open from a minute before `now` until `start`.
///
/// # Errors
/// [`EncodeError`] for a tier code longer than a symbol.
pub fn event_config(
    token: &xdr::ScAddress,
    now: u64,
    start: u64,
    end: u64,
    name: &str,
    tiers: &[TierSpec<'_>],
) -> Result<xdr::ScVal, EncodeError> {
    let tiers = tiers
        .iter()
        .map(|&(code, price, supply, max)| {
            scval::record(vec![
                ("code", scval::symbol(code)?),
                ("price", scval::i128(price)),
                ("supply", scval::u32(supply)),
                ("max_per_wallet", scval::u32(max)),
            ])
        })
        .collect::<Result<Vec<_>, _>>()?;
    scval::record(vec![
        ("payment_token", scval::address(token)),
        ("tiers", scval::vec(tiers)?),
        ("sales_start", scval::u64(now.saturating_sub(60))),
        ("sales_end", scval::u64(start)),
        ("start", scval::u64(start)),
        ("end", scval::u64(end)),
        ("transferable", scval::bool(true)),
        ("resaleable", scval::bool(true)),
        ("refundable", scval::bool(true)),
        ("resale_cap_bps", scval::u32(11_000)),
        ("royalty_bps", scval::u32(500)),
        (
            "metadata_uri",
            scval::string(&format!("https://passa.example/events/{name}.json"))?,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_look_like_v4_uuids_and_depend_on_the_seed() {
        let id = event_id("a", "main");
        assert_eq!(id[6] >> 4, 4);
        assert_eq!(id[8] >> 6, 2);
        assert_ne!(id, event_id("b", "main"));
        assert_ne!(id, event_id("a", "cancelled"));
    }

    #[test]
    fn token_ids_depend_on_the_seed_and_leave_room_for_a_season() {
        assert_eq!(first_token_id("a"), first_token_id("a"));
        assert_ne!(first_token_id("a"), first_token_id("b"));
        for seed in ["", "a", "test", "e2e", "concurrent"] {
            assert!(first_token_id(seed) <= u32::MAX - 4_096, "{seed}");
        }
    }
}
