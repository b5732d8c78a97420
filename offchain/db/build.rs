//! Rebuild when a migration is added or changed: `sqlx::migrate!` embeds `migrations/` at
//! compile time, and Cargo does not know about that directory otherwise.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
