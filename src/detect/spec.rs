//! Serde model of rule files (`rules/**/*.toml`): what a user writes.
//!
//! A [`RuleFileSpec`] is plain data; nothing here is checked beyond TOML syntax. The
//! compile step in [`super`] turns specs into a [`super::Detector`] and rejects anything invalid
//! (bad regex, unknown validator, missing examples), so a scan never meets a broken rule.

use serde::Deserialize;

/// One rule file: a list of `[[rule]]` tables and optional ruleset-wide settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFileSpec {
    /// The rules declared in this file.
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
    /// Column-name tokens that mark a column as a non-personal look-alike (`version`, `sku`,
    /// `order`...). Findings in such a column are damped unless the column also carries a
    /// positive hint for the entity.
    #[serde(default)]
    pub lookalike_column_tokens: Vec<String>,
}

/// Where a rule's pattern is applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Anywhere inside a cell, free text included (default).
    #[default]
    Span,
    /// The pattern must cover the whole (trimmed) cell: structured columns only.
    Cell,
}

/// One detection rule, as written in a rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable, namespaced, versioned id: `pii.<kind>.<n>`. Bump `n` on a semantic change.
    pub id: String,
    /// Short human name.
    pub name: String,
    /// Entity the rule finds, e.g. `EMAIL_ADDRESS` (Presidio names where Presidio has one).
    pub entity: String,
    /// Family: contact, network, financial, gov_id, person, location, demographic...
    pub category: String,
    /// What the rule finds and why it matters.
    pub description: String,
    /// Regular expressions; any of them may match. `(?x)` is allowed for comments.
    pub patterns: Vec<String>,
    /// Whether the patterns need Unicode classes (`\p{Lu}`): such rules run on the cell as
    /// text with a Unicode-aware engine; the others run on bytes with ASCII classes, faster.
    #[serde(default)]
    pub unicode: bool,
    /// Where the pattern applies (default `span`).
    #[serde(default)]
    pub scope: Scope,
    /// Byte classes a cell must contain for the rule to possibly match, all of them:
    /// `digit`, `upper` (an ASCII capital or any non-ASCII byte), `alpha` (an ASCII letter or
    /// any non-ASCII byte), `@`, `:`, `-`, `.`; `a|b` means either. A cheap pre-check: when no
    /// active rule of an engine can match a cell, the engine is not run on it. Must never
    /// exclude a cell the patterns could match (the rule examples check this).
    #[serde(default)]
    pub requires: Vec<String>,
    /// Name of a validator in code (`luhn`, `iban`, `us_ssn`, `phone`, `ip`...). A candidate
    /// that fails it is dropped.
    #[serde(default)]
    pub validator: Option<String>,
    /// Base score of a validated match with no context, in `0..=1`.
    pub score: f32,
    /// When true the rule only runs where context says so: a column-name hint, or one of
    /// `keywords` shortly before the candidate in the cell. For values that are only
    /// personal in context (a bare digit string is an account number only under "account").
    #[serde(default)]
    pub needs_context: bool,
    /// A `needs_context` rule that also runs in columns without a name (`column_3`: a
    /// headerless file, an empty header field), where the context it needs is lost: a value
    /// there that only its column could explain is judged as this entity, to be safe.
    #[serde(default)]
    pub unnamed_columns: bool,
    /// Words that, shortly before a candidate in the same cell, raise its score (and enable a
    /// `needs_context` rule). Matched ASCII case-insensitively.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Words that, shortly before a candidate, reject it (`version` before a dotted quad).
    #[serde(default)]
    pub exclude_keywords: Vec<String>,
    /// How many bytes before a candidate keywords are looked for (default 48).
    #[serde(default)]
    pub look_behind: Option<usize>,
    /// Column-name hints: token sequences such as `email`, `date of birth`, `dob`. A column
    /// name is split into lower-case tokens (`custEmailAddr` -> cust, email, addr).
    #[serde(default)]
    pub column_hints: Vec<String>,
    /// Column-name tokens that cancel this rule's hints (`product` in `product_name`).
    #[serde(default)]
    pub column_hints_exclude: Vec<String>,
    /// Whether findings are damped in look-alike columns such as `order_id` or `version`
    /// (default true). Entities that are never look-alikes (an email in a `user_id` column is
    /// still an email) set it to false.
    #[serde(default)]
    pub damp_in_lookalike_columns: Option<bool>,
    /// Values the full detector must find with this rule.
    pub examples: Vec<ExampleSpec>,
    /// Near misses the full detector must not find with this rule.
    pub negative_examples: Vec<ExampleSpec>,
    /// Links to standards or documentation.
    #[serde(default)]
    pub references: Vec<String>,
}

/// An example: a bare string (scanned in a column with no name), or a table giving the
/// column name the example needs (for context rules).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ExampleSpec {
    /// A cell scanned under an anonymous column.
    Text(String),
    /// A cell scanned under the given column name.
    InColumn {
        /// Column name to scan the text under.
        column: String,
        /// The cell text.
        text: String,
    },
}

impl ExampleSpec {
    /// The column name (empty when none) and the text of the example.
    pub fn parts(&self) -> (&str, &str) {
        match self {
            ExampleSpec::Text(t) => ("", t),
            ExampleSpec::InColumn { column, text } => (column, text),
        }
    }
}
