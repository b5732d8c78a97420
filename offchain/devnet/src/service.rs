//! The node on its own thread, and a cloneable [`Handle`] to reach it from async code.
//!
//! The [`Node`] cannot move between threads (the ledger shares its state with simulator
//! snapshots through `Rc`), so one OS thread owns it for its whole life. Everything else sends
//! it jobs — closures over `&mut Node` — through a channel and awaits the answer. The same
//! thread closes a ledger every `ledger_close` period, so jobs and closes never interleave:
//! a job sees either the ledger before a close or the one after, never half of one.
use std::{
    path::{Path, PathBuf},
    sync::mpsc,
    thread::JoinHandle,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use tokio::sync::{oneshot, watch};

use crate::{
    error::{Error, Result},
    node::{GenesisOptions, Node},
    persist,
};

/// How the node thread runs.
#[derive(Clone, Debug)]
pub struct ServiceOptions {
    pub genesis: GenesisOptions,
    /// Time between ledger closes.
    pub ledger_close: Duration,
    /// Where the state is kept across restarts; in memory only when `None`.
    pub state_dir: Option<PathBuf>,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        Self {
            genesis: GenesisOptions::default(),
            ledger_close: Duration::from_millis(1_000),
            state_dir: None,
        }
    }
}

type Job = Box<dyn FnOnce(&mut Node) + Send>;

enum Message {
    Job(Job),
    /// Close a ledger now (a devnet-only convenience for tests and scripts).
    CloseNow(oneshot::Sender<Result<u32>>),
    /// Close this many ledgers at once (a devnet-only fast-forward to watch TTLs run out).
    Advance(u32, oneshot::Sender<Result<u32>>),
    Stop,
}

/// Unix seconds now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A way to reach the node thread; cheap to clone.
#[derive(Clone)]
pub struct Handle {
    sender: mpsc::Sender<Message>,
    /// The sequence of the last closed ledger, published after every close.
    closed: watch::Receiver<u32>,
}

impl Handle {
    /// Runs `f` on the node thread and returns what it returns.
    pub async fn call<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Node) -> R + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |node| {
            // The caller may have gone away (a dropped HTTP request); nothing to do then.
            let _ = reply.send(f(node));
        });
        self.sender
            .send(Message::Job(job))
            .map_err(|_| Error::Stopped)?;
        answer.await.map_err(|_| Error::Stopped)
    }

    /// Closes a ledger now, whatever the timer says; returns its sequence number.
    pub async fn close_ledger(&self) -> Result<u32> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Message::CloseNow(reply))
            .map_err(|_| Error::Stopped)?;
        answer.await.map_err(|_| Error::Stopped)?
    }

    /// Closes `ledgers` ledgers at once (see [`Node::advance`]); returns the last one.
    pub async fn advance(&self, ledgers: u32) -> Result<u32> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Message::Advance(ledgers, reply))
            .map_err(|_| Error::Stopped)?;
        answer.await.map_err(|_| Error::Stopped)?
    }

    /// The sequence of the last closed ledger.
    pub fn latest_ledger(&self) -> u32 {
        *self.closed.borrow()
    }

    /// Waits until ledger `sequence` has closed.
    pub async fn wait_for_ledger(&self, sequence: u32) -> Result<()> {
        let mut closed = self.closed.clone();
        closed
            .wait_for(|s| *s >= sequence)
            .await
            .map_err(|_| Error::Stopped)?;
        Ok(())
    }
}

/// The running node thread. Dropping it stops the thread (after the job in hand).
pub struct Service {
    handle: Handle,
    thread: Option<JoinHandle<()>>,
}

impl Service {
    /// Creates the genesis ledgers on a new thread and starts closing ledgers.
    pub fn start(options: ServiceOptions) -> Result<Self> {
        let (sender, receiver) = mpsc::channel();
        let (started_tx, started_rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("devnet-node".into())
            .spawn(move || run(options, receiver, started_tx))
            .map_err(Error::Thread)?;
        let closed = started_rx.recv().map_err(|_| Error::Stopped)??;
        Ok(Self {
            handle: Handle { sender, closed },
            thread: Some(thread),
        })
    }

    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// Stops the thread and waits for it.
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        let _ = self.handle.sender.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the devnet node thread panicked");
            }
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

fn run(
    options: ServiceOptions,
    receiver: mpsc::Receiver<Message>,
    started: mpsc::Sender<Result<watch::Receiver<u32>>>,
) {
    let mut node = match open(&options) {
        Ok(n) => n,
        Err(e) => {
            let _ = started.send(Err(e));
            return;
        }
    };
    let mut saver = options.state_dir.as_deref().map(Saver::new);
    let (closed_tx, closed_rx) = watch::channel(node.ledger.latest().sequence());
    if started.send(Ok(closed_rx)).is_err() {
        return;
    }
    tracing::info!(
        ledger = node.ledger.latest().sequence(),
        passphrase = %options.genesis.passphrase,
        "devnet genesis"
    );
    let period = options.ledger_close.max(Duration::from_millis(1));
    let mut next_close = Instant::now() + period;
    loop {
        let wait = next_close.saturating_duration_since(Instant::now());
        match receiver.recv_timeout(wait) {
            Ok(Message::Job(job)) => {
                // A panicking job must not take the node down with it: log and go on.
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut node)))
                    .is_err()
                {
                    tracing::error!("a devnet job panicked");
                }
            }
            Ok(Message::CloseNow(reply)) => {
                let _ = reply.send(close(&mut node, &closed_tx, saver.as_mut()));
                next_close = Instant::now() + period;
            }
            Ok(Message::Advance(count, reply)) => {
                let done = node.advance(count, unix_now());
                if let Ok(seq) = &done {
                    closed_tx.send_replace(*seq);
                    if let Some(saver) = saver.as_mut() {
                        saver.after_close(&node, true);
                    }
                }
                let _ = reply.send(done);
                next_close = Instant::now() + period;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(e) = close(&mut node, &closed_tx, saver.as_mut()) {
                    tracing::error!(error = %e, "ledger close failed");
                }
                // After a slow close, do not try to catch up with a burst of closes.
                next_close = (next_close + period).max(Instant::now());
            }
            Ok(Message::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if let Some(saver) = &mut saver {
        saver.save(&node);
    }
    tracing::info!(
        ledger = node.ledger.latest().sequence(),
        "devnet node stopped"
    );
}

/// The saved state when there is one (for the same network), or a new genesis.
fn open(options: &ServiceOptions) -> Result<Node> {
    let wanted = &options.genesis.passphrase;
    if let Some(dir) = &options.state_dir {
        if let Some(node) = persist::load(dir)? {
            if &node.ledger.passphrase != wanted {
                return Err(Error::State(format!(
                    "{} holds the network {:?}, not {wanted:?}",
                    dir.display(),
                    node.ledger.passphrase
                )));
            }
            tracing::info!(dir = %dir.display(), ledger = node.ledger.latest().sequence(), "devnet state loaded");
            return Ok(node);
        }
    }
    let node = Node::genesis(&options.genesis, unix_now())?;
    if let Some(dir) = &options.state_dir {
        persist::save(&node, dir)?;
    }
    Ok(node)
}

/// Saving rewrites the whole state (about 0.4 s for 100 000 entries), so it is not done
/// after every busy ledger: changes wait at most this long, and a clean stop saves at once.
/// A crash loses at most the last few seconds, which a devnet can afford.
const SAVE_INTERVAL: Duration = Duration::from_secs(5);

/// Saves the state when it has changed and the last save is old enough.
struct Saver<'a> {
    dir: &'a Path,
    dirty: bool,
    last: Instant,
}

impl<'a> Saver<'a> {
    fn new(dir: &'a Path) -> Self {
        Self {
            dir,
            dirty: false,
            last: Instant::now(),
        }
    }

    /// After a ledger close: `changed` when it applied or funded something.
    fn after_close(&mut self, node: &Node, changed: bool) {
        self.dirty |= changed;
        if self.dirty && self.last.elapsed() >= SAVE_INTERVAL {
            self.save(node);
        }
    }

    /// Saves now; a failure is logged, not fatal (the node keeps running in memory).
    fn save(&mut self, node: &Node) {
        let started = Instant::now();
        match persist::save(node, self.dir) {
            Ok(()) => {
                self.dirty = false;
                tracing::debug!(ms = started.elapsed().as_millis() as u64, "state saved");
            }
            Err(e) => tracing::error!(error = %e, "saving the devnet state failed"),
        }
        self.last = Instant::now();
    }
}

fn close(
    node: &mut Node,
    closed: &watch::Sender<u32>,
    saver: Option<&mut Saver<'_>>,
) -> Result<u32> {
    let pending = node.pending_len();
    let seq = node.close_ledger(unix_now())?.sequence();
    if pending > 0 {
        tracing::debug!(ledger = seq, pending, "ledger closed");
    }
    if let Some(saver) = saver {
        saver.after_close(node, pending > 0);
    }
    closed.send_replace(seq);
    Ok(seq)
}
