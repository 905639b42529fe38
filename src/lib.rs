//! # shroud
//!
//! Finds personal data in data-store exports (CSV, JSON / JSON Lines, Parquet) and reports it
//! per column and per value.
//!
//! The pipeline is `source` -> `detect` -> `report`:
//! - [`source`] streams files into column-major batches of cells (bounded memory);
//! - [`detect`] compiles the rules in `rules/*.toml` once into a [`detect::Detector`], plans
//!   each column from its name (hints enable context-only rules), scans cells and decides
//!   column verdicts;
//! - [`scan`] drives readers and workers in parallel with thread-count-independent results;
//! - [`report`] turns results into the versioned JSON report and the human summary.
//!
//! Hosts that hold data as Arrow (the Python package in `python/`, Spark) use [`batch`]:
//! the same scan, pseudonymize and aggregate, one record batch at a time, with states that
//! merge across machines.
//!
//! ```
//! use shroud::detect::Detector;
//!
//! let detector = Detector::builtin().unwrap();
//! let findings = detector.scan_text("notes", "Call Jane Doe at +44 20 7946 0958");
//! let entities: Vec<&str> = findings
//!     .iter()
//!     .map(|f| detector.entities[f.entity as usize].as_str())
//!     .collect();
//! assert_eq!(entities, ["PERSON", "PHONE_NUMBER"]);
//! ```

pub mod aggregate;
pub mod batch;
pub mod check;
pub mod cli;
pub mod detect;
pub mod entity;
pub mod output;
pub mod pseudo;
pub mod report;
pub mod scan;
pub mod source;
pub mod synth;
pub mod transform;
