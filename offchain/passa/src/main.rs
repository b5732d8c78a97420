//! `passa`: see `passa --help`. All the work is in the library; this file parses the command
//! line, sets up logging and turns an error into one line on stderr and a non-zero exit.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use passa::cli::{self, Cli};

fn main() -> ExitCode {
    one_malloc_arena();
    let cli = Cli::parse();
    init_logging();

    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(cli::run(cli)).map_err(anyhow::Error::from));

    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the whole chain of causes, `a: b: c`; keep it on one line even if
            // a server message spans several.
            let message = format!("{e:#}");
            let one_line: Vec<&str> = message.split_whitespace().collect();
            // Ignore a closed stderr: there is nowhere left to report to.
            let _ = writeln!(std::io::stderr(), "error: {}", one_line.join(" "));
            ExitCode::FAILURE
        }
    }
}

/// glibc gives each thread that allocates its own arena and keeps what is freed in it. The
/// sync decodes pages on tokio's worker and blocking threads, so every one of them ends up
/// holding a page's worth of freed memory: with 5 000-event pages the process peaked at
/// ~145 MB of RSS for ~50 MB of live heap. One arena brings that down to ~75 MB, for a few
/// per cent more CPU in malloc (measured with `passa sync --once` on the benchmark's
/// ledgers). `MALLOC_ARENA_MAX` in the environment still wins.
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only changes a tunable of glibc's allocator; it is called before
        // any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
}

/// Logs to stderr, filtered by RUST_LOG (default: warnings and errors). sqlx's slow-statement
/// warnings are silenced by default: migrations are slow statements by nature.
fn init_logging() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,sqlx::query=error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
