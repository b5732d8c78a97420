//! Crash points for tests: `PASSA_FAILPOINT=NAME` makes the process abort when it reaches the
//! point NAME, exactly as a crash or `kill -9` there would, so tests can prove that a run
//! killed at that point resumes. Unset (always, outside tests), a point costs one environment
//! lookup.
//!
//! Points: `deploy.after_upload` (every wasm uploaded, no contract created yet),
//! `deploy.after_send` (a transaction sent and recorded as pending, its outcome not yet
//! recorded).

/// The environment variable naming the point to abort at.
pub const ENV: &str = "PASSA_FAILPOINT";

/// Aborts the process if `PASSA_FAILPOINT` is `name`.
pub fn hit(name: &str) {
    if std::env::var(ENV).is_ok_and(|point| point == name) {
        eprintln!("{ENV}={name}: aborting here on purpose");
        std::process::abort();
    }
}
