//! # shroud
//!
//! Finds personal data in data-store exports (CSV, JSON / JSON Lines, Parquet), writes
//! shareable copies (keyed tokens, masks, generalizations), aggregates with small groups
//! suppressed, and gates what leaves. The `shroud` binary is a thin shell over this crate.
//!
//! ## Layers (dependencies point down)
//!
//! - **Engine**: [`source`] (one reader per format: cells with their paths, and the records as
//!   read for writers), [`detect`] (rules compiled once, column plans, findings, verdicts),
//!   [`entity`] (the registry: what shroud knows of each entity), [`transform`] (policies,
//!   operators, keys, tokens), [`mask`], [`output`] (atomic files).
//! - **Jobs**: [`scan`] (a parallel scan with thread-count-independent results),
//!   [`pseudo`] (two passes through the same reader; [`pseudo::job`] runs a whole folder),
//!   [`check`] (the share gate), [`aggregate`] (group-by, suppression, noise, risk),
//!   [`batch`] (the same jobs one Arrow record batch at a time, with mergeable states, for
//!   the Python package and Spark).
//! - **Renderers**: [`report`] (the JSON report contract, the human table, the HTML page) and
//!   the check renderers in [`check`] (text, JSON, SARIF, JUnit).
//!
//! ## Example: find, then pseudonymize
//!
//! ```
//! use shroud::detect::Detector;
//! use shroud::pseudo::job::{Job, JobOptions};
//! use shroud::transform::{Policy, key::Key};
//! use std::sync::Arc;
//!
//! // Findings in one cell of free text.
//! let detector = Arc::new(Detector::builtin().unwrap());
//! let findings = detector.scan_text("notes", "Call Jane Doe at +44 20 7946 0958");
//! let entities: Vec<&str> = findings
//!     .iter()
//!     .map(|f| detector.entities[f.entity as usize].as_str())
//!     .collect();
//! assert_eq!(entities, ["PERSON", "PHONE_NUMBER"]);
//!
//! // A folder pseudonymized with the default policy and a key.
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::create_dir(dir.path().join("in")).unwrap();
//! std::fs::write(
//!     dir.path().join("in/people.csv"),
//!     "name,email,city\nJane Doe,jane.doe@example.com,Paris\n",
//! )
//! .unwrap();
//! let key = Key::parse(b"3c9e51a07f2b8d64e1a5c03b97f8d2460b1e7a93c5d8f2064a7e1b9c3d5f8a02").unwrap();
//! let policy = Policy::builtin();
//! let job = Job::new(&detector, &policy, Some(&key));
//! let opts = JobOptions {
//!     inputs: vec![dir.path().join("in")],
//!     out: dir.path().join("out"),
//!     discover: Default::default(),
//!     scan: Default::default(),
//!     force: false,
//!     append: false,
//!     accept_new_key: false,
//!     verify: true,
//!     keep_scans: false,
//! };
//! let outcome = job.run(&opts, &mut |_| {}).unwrap();
//! assert_eq!(outcome.manifest.files[0].rows, 1);
//! let copy = std::fs::read_to_string(dir.path().join("out/people.csv")).unwrap();
//! assert!(!copy.contains("jane.doe@example.com") && copy.contains("Paris"));
//! ```

pub mod aggregate;
pub mod batch;
pub mod check;
pub mod detect;
pub mod entity;
pub mod mask;
pub mod output;
pub mod pseudo;
pub mod report;
pub mod scan;
pub mod source;
pub mod transform;
