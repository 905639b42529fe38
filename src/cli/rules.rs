//! `shroud rules list|check|show`: the rule registry as users see it.

use anyhow::Result;
use clap::Subcommand;
use std::io::Write;
use std::path::PathBuf;

/// Rule subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List rules: id, entity, category, whether context is needed, name.
    List {
        /// Also load the rules under this folder.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Compile rules and run every rule's examples and negative examples through the full
    /// detector. Exit 0 when all pass, 2 otherwise. Without DIR, checks the built-in rules.
    #[command(alias = "test")]
    Check {
        /// A folder (or file) of user rules, checked together with the built-ins.
        dir: Option<PathBuf>,
    },
    /// Show one rule in full.
    Show {
        /// The rule id, e.g. pii.email.1.
        id: String,
        /// Also load the rules under this folder.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

/// Runs a rules subcommand.
pub fn run(cmd: RulesCommand) -> Result<u8> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        RulesCommand::List { rules } => {
            let d = super::detector(rules.as_ref())?;
            for r in &d.rules {
                writeln!(
                    out,
                    "{:<28} {:<18} {:<12} {:<8} {}",
                    r.id,
                    r.entity,
                    r.category,
                    if r.needs_context { "context" } else { "-" },
                    r.name
                )?;
            }
            Ok(0)
        }
        RulesCommand::Check { dir } => {
            let d = super::detector(dir.as_ref())?;
            let failures = d.check_examples();
            let examples: usize = d
                .rules
                .iter()
                .map(|r| r.examples.len() + r.negative_examples.len())
                .sum();
            for f in &failures {
                writeln!(out, "{f}")?;
            }
            writeln!(
                out,
                "{} rules, {} examples: {} passed, {} failed",
                d.rules.len(),
                examples,
                examples - failures.len(),
                failures.len()
            )?;
            Ok(if failures.is_empty() { 0 } else { 2 })
        }
        RulesCommand::Show { id, rules } => {
            let d = super::detector(rules.as_ref())?;
            let Some(r) = d.rules.iter().find(|r| r.id == id) else {
                anyhow::bail!("no rule with id {id} (see `shroud rules list`)");
            };
            writeln!(
                out,
                "{} ({})\n  entity: {}\n  category: {}\n  file: {}",
                r.id, r.name, r.entity, r.category, r.source_file
            )?;
            writeln!(
                out,
                "  score: {}  needs context: {}  validator: {}",
                r.score,
                r.needs_context,
                r.validator.map_or("-".into(), |v| v.to_string())
            )?;
            writeln!(out, "\n{}\n", r.description)?;
            for p in &r.patterns {
                writeln!(out, "  pattern: {p}")?;
            }
            if !r.keywords.is_empty() {
                writeln!(out, "  keywords: {}", r.keywords.join(", "))?;
            }
            Ok(0)
        }
    }
}
