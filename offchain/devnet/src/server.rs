//! A whole devnet: the node thread and the HTTP server (JSON-RPC and friendbot) on one
//! loopback address.
use std::{net::SocketAddr, time::Duration};

use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use crate::{
    error::{Error, Result},
    node::GenesisOptions,
    rpc::{self, AppState},
    service::{Handle, Service, ServiceOptions},
};

/// How to start a devnet.
#[derive(Clone, Debug)]
pub struct DevnetOptions {
    /// Where to listen; loopback only. Port 0 picks a free one.
    pub listen: SocketAddr,
    pub genesis: GenesisOptions,
    /// Time between ledger closes.
    pub ledger_close: Duration,
    /// Where the state is kept across restarts; in memory only when `None`.
    pub state_dir: Option<std::path::PathBuf>,
}

impl Default for DevnetOptions {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8000)),
            genesis: GenesisOptions::default(),
            ledger_close: Duration::from_millis(1_000),
            state_dir: None,
        }
    }
}

/// A running devnet. [`Devnet::shutdown`] stops it cleanly; dropping it stops it too.
pub struct Devnet {
    addr: SocketAddr,
    service: Option<Service>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

impl Devnet {
    /// Starts the node and serves the API. Must run inside a tokio runtime.
    pub async fn start(options: DevnetOptions) -> Result<Self> {
        rpc::check_loopback(&options.listen)?;
        let service_options = ServiceOptions {
            genesis: options.genesis,
            ledger_close: options.ledger_close,
            state_dir: options.state_dir,
        };
        // Genesis or loading a saved state blocks until done: keep it off the async workers.
        let service = tokio::task::spawn_blocking(move || Service::start(service_options))
            .await
            .map_err(|_| Error::Stopped)??;
        let io = |source| Error::Bind {
            addr: options.listen,
            source,
        };
        let listener = TcpListener::bind(options.listen).await.map_err(io)?;
        let addr = listener.local_addr().map_err(io)?;
        let app = rpc::router(AppState {
            handle: service.handle(),
            addr,
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "devnet HTTP server failed");
            }
        });
        tracing::info!(rpc = %format!("http://{addr}/"), "devnet listening");
        Ok(Self {
            addr,
            service: Some(service),
            stop: Some(stop),
            server: Some(server),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The JSON-RPC endpoint.
    pub fn rpc_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The friendbot endpoint.
    pub fn friendbot_url(&self) -> String {
        format!("http://{}/friendbot", self.addr)
    }

    /// A handle on the node (for in-process callers).
    pub fn handle(&self) -> Option<Handle> {
        self.service.as_ref().map(Service::handle)
    }

    /// Stops serving (after requests in flight) and stops the node.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        if let Some(service) = self.service.take() {
            // Joining the node thread blocks; it only finishes the job in hand.
            let _ = tokio::task::spawn_blocking(move || service.stop()).await;
        }
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
