//! Integration tests: one binary (faster to build and link), driving the real `shroud` binary
//! over `fixtures/`.
//!
//! - `util`: temp dirs and a command wrapper;
//! - `aggregate`: aggregates and risk against independently computed answers;
//! - `scan`: verdicts, findings, outputs, exit codes, errors on the CSV fixture;
//! - `check`: the pre-share gate and its SARIF / JSON / JUnit outputs;
//! - `closed_loop`: pseudonymize's output passes check; nothing found survives;
//! - `formats`: the same table in CSV/TSV/JSON/JSONL/Parquet/compressed gives the same verdicts;
//! - `rules`: the rule registry and user rules;
//! - `free_text`: free text in high-recall mode, and the gate's same test (issue 25);
//! - `fuzz_smoke`: mutated inputs through readers, detector and writers, never a panic;
//! - `hiding`: places every reader skips, judged or refused by `check` (issue 24);
//! - `hostile`: broken and hostile inputs;
//! - `html`: the HTML report, also opened in headless Chromium;
//! - `leaks`: no raw value or key in any output of any command;
//! - `messy`: real exports' shapes read as what they mean, or refused (issue 23);
//! - `mutations`: the closed loop under every mutation real exports apply (issue 23);
//! - `interrupt`: runs killed with SIGINT/SIGKILL leave old or complete outputs;
//! - `properties`: invariants of the engine on arbitrary input;
//! - `pseudonymize`: pseudonymized copies, keys, joins, refusals;
//! - `readme`: every shell and TOML block of the README, run as written;
//! - `releases`: releases that accumulate in one outbox, each file with its release and key;
//! - `trust`: what leaves is what was vouched for (the hostile review, issue 13);
//! - `silent`: round trips that went silently wrong, generated and checked (issue 28);
//! - `secrets`: keys nobody can guess, key variables and key files (issue 24);
//! - `sqlite`: tables of SQLite databases, scanned, checked and aggregated read-only;
//! - `postgres`: tables of a real PostgreSQL server (started by `scripts/test-servers.sh`);
//! - `object_store`: buckets of a real S3-compatible server (moto, started likewise).
//!
//! `sqlite`, `postgres` and `object_store` are compiled with their store's cargo feature (all
//! on by default); the rest of the suite also reads SQLite fixtures, so it is run with the
//! default features.

mod aggregate;
mod check;
mod closed_loop;
mod formats;
mod free_text;
mod fuzz_smoke;
mod hiding;
mod hostile;
mod html;
mod interrupt;
mod leaks;
mod messy;
mod mutations;
#[cfg(feature = "cloud")]
mod object_store;
#[cfg(feature = "postgres")]
mod postgres;
mod properties;
mod pseudonymize;
mod readme;
mod releases;
mod rules;
mod scan;
mod secrets;
mod silent;
#[cfg(feature = "sqlite")]
mod sqlite;
#[path = "../dev/synth.rs"]
#[allow(dead_code)]
mod synth;
mod trust;
mod util;
