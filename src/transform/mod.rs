//! Transforms: what `shroud pseudonymize` does to a personal value.
//!
//! A [`Policy`] (TOML) picks an [`Operator`] per entity, overridable per column path; a
//! [`Transformer`] holds the compiled policy and the keyed primitives and applies an operator
//! to one value. Operators:
//!
//! - `token`: keyed HMAC-SHA-256, deterministic per key, normalised per entity first (emails
//!   case-folded, phones to E.164, cards without separators) so joins survive. Tokens keep a
//!   recognisable shape and are never re-flagged by `shroud scan` (see [`token`]).
//! - `fpe`: FF1-AES-256 format-preserving encryption of the digits (NIST SP 800-38G),
//!   reversible with the key (`shroud reidentify`); values with fewer than 6 digits are
//!   tokenized instead (FF1's domain-size rule).
//! - `mask` (keep the last N characters), `redact` (empty or null), `replace` (a tag such as
//!   `<EMAIL_ADDRESS>`), `generalize` (IPv4 /24, IPv6 /48, dates to the year, postal codes to
//!   3 characters, numbers to bands), `date_shift` (a keyed shift of dates, the same for every
//!   date), `drop` (remove the column), `keep`.
//!
//! Without the key, tokenized output is pseudonymous, not anonymous: whoever holds the key can
//! recompute tokens from guessed values. Use one key per recipient.

pub mod epoch;
pub mod key;
pub mod token;

use key::Key;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What to do with a personal value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// Keyed deterministic token.
    Token,
    /// Format-preserving encryption of the digits (reversible with the key).
    Fpe,
    /// Keep the last `keep_last` alphanumerics, star the others.
    Mask {
        /// How many trailing characters stay visible.
        keep_last: usize,
    },
    /// Empty string (CSV), null (JSON, Parquet); removed from free text.
    Redact,
    /// A type tag, `<ENTITY>` by default.
    Replace {
        /// The replacement text.
        tag: Option<String>,
    },
    /// Coarser value: IPv4 /24, IPv6 /48, date to year, postal code to 3 characters, number
    /// to a band.
    Generalize {
        /// Numbers: the width of their bands (`band = 10`: 1961 -> `1960-1969`); `None`: a
        /// power of ten by the number's size, or the entity's own coarsening.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        band: Option<u64>,
    },
    /// Keyed shift of dates by up to `max_days` days.
    DateShift {
        /// Largest shift, in days.
        max_days: u32,
    },
    /// Remove the column.
    Drop,
    /// Leave the value as it is.
    Keep,
    /// Decrypt an `fpe` value (used by `shroud reidentify`; not a policy operator).
    #[serde(skip)]
    Unfpe,
}

impl Operator {
    /// The operator's name as a policy writes it (`token`, `mask`...).
    pub fn name(&self) -> &'static str {
        match self {
            Operator::Token => "token",
            Operator::Fpe => "fpe",
            Operator::Mask { .. } => "mask",
            Operator::Redact => "redact",
            Operator::Replace { .. } => "replace",
            Operator::Generalize { .. } => "generalize",
            Operator::DateShift { .. } => "date_shift",
            Operator::Drop => "drop",
            Operator::Keep => "keep",
            Operator::Unfpe => "unfpe",
        }
    }

    /// Whether the operator needs a key.
    pub fn needs_key(&self) -> bool {
        matches!(
            self,
            Operator::Token | Operator::Fpe | Operator::Unfpe | Operator::DateShift { .. }
        )
    }

    /// Whether the operator changes values.
    pub fn is_mutating(&self) -> bool {
        !matches!(self, Operator::Keep)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operator::Token => f.write_str("token"),
            Operator::Fpe => f.write_str("fpe"),
            Operator::Mask { keep_last } => write!(f, "mask(keep_last={keep_last})"),
            Operator::Redact => f.write_str("redact"),
            Operator::Replace { tag: Some(t) } => write!(f, "replace({t})"),
            Operator::Replace { tag: None } => f.write_str("replace"),
            Operator::Generalize { band: None } => f.write_str("generalize"),
            Operator::Generalize { band: Some(b) } => write!(f, "generalize(band={b})"),
            Operator::DateShift { max_days } => write!(f, "date_shift(max_days={max_days})"),
            Operator::Drop => f.write_str("drop"),
            Operator::Keep => f.write_str("keep"),
            Operator::Unfpe => f.write_str("unfpe"),
        }
    }
}

/// An operator as written in a policy: `"token"` or `{ op = "mask", keep_last = 4 }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OperatorSpec {
    /// Just the name.
    Name(String),
    /// A table with options.
    Table(OperatorTable),
}

/// An operator with options. A key it does not know is an error, never ignored: a misspelt
/// `keep_lst = 2` would otherwise mask with the default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorTable {
    /// Operator name.
    pub op: String,
    /// `mask`: characters kept at the end (default 4).
    pub keep_last: Option<usize>,
    /// `replace`: the replacement text.
    pub tag: Option<String>,
    /// `date_shift`: largest shift in days (default 180).
    pub max_days: Option<u32>,
    /// `generalize`: the width of number bands (`10`: 1961 -> `1960-1969`).
    pub band: Option<u64>,
}

impl OperatorSpec {
    fn compile(&self) -> Result<Operator, String> {
        let (name, keep_last, tag, max_days, band) = match self {
            OperatorSpec::Name(n) => (n.as_str(), None, None, None, None),
            OperatorSpec::Table(t) => (
                t.op.as_str(),
                t.keep_last,
                t.tag.clone(),
                t.max_days,
                t.band,
            ),
        };
        let only = |option: &str, allowed: &str| -> Result<(), String> {
            if name == allowed {
                Ok(())
            } else {
                Err(format!(
                    "`{option}` is an option of `{allowed}`, not of `{name}`"
                ))
            }
        };
        if keep_last.is_some() {
            only("keep_last", "mask")?;
        }
        if tag.is_some() {
            only("tag", "replace")?;
        }
        if max_days.is_some() {
            only("max_days", "date_shift")?;
        }
        if let Some(b) = band {
            only("band", "generalize")?;
            if b < 2 {
                return Err(format!("band = {b}: a band is 2 or wider"));
            }
        }
        Ok(match name {
            "token" => Operator::Token,
            "fpe" => Operator::Fpe,
            "mask" => Operator::Mask {
                keep_last: keep_last.unwrap_or(4),
            },
            "redact" => Operator::Redact,
            "replace" => Operator::Replace { tag },
            "generalize" => Operator::Generalize { band },
            "date_shift" => Operator::DateShift {
                max_days: max_days.unwrap_or(180).max(1),
            },
            "drop" => Operator::Drop,
            "keep" => Operator::Keep,
            other => {
                return Err(format!(
                    "unknown operator `{other}` (token, fpe, mask, redact, replace, generalize, date_shift, drop, keep)"
                ));
            }
        })
    }
}

/// A policy file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// What the file adds to: `"builtin"` (the default: the built-in policy, which the
    /// file's entries override one by one) or `"none"` (the file alone).
    pub extends: Option<String>,
    /// Operator for entities not listed (default `redact`).
    pub default: Option<OperatorSpec>,
    /// Operator per entity.
    #[serde(default)]
    pub entities: BTreeMap<String, OperatorSpec>,
    /// Operator per column path, whatever the verdict (also for columns with no verdict).
    #[serde(default)]
    pub columns: BTreeMap<String, OperatorSpec>,
    /// The region national phone numbers are written in (`DE`, `GB`…): `0151 23456789` is
    /// then keyed as `+49 151 23456789`. Without it a national number is keyed as its
    /// digits (and as a US number when it is a valid one): never by which other rows share
    /// its file.
    pub phone_region: Option<String>,
    /// How free-text columns are pseudonymized: `recall` (the default) or `precise`.
    pub free_text: Option<String>,
    /// The same per free-text column.
    #[serde(default)]
    pub free_text_columns: BTreeMap<String, String>,
}

/// How a free-text column is pseudonymized.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TextMode {
    /// Every word that could identify a person, unless explained ([`crate::detect::recall`]).
    #[default]
    Recall,
    /// Only what the rules find.
    Precise,
}

impl TextMode {
    /// `recall` or `precise`.
    pub fn parse(s: &str) -> Result<TextMode, String> {
        match s.trim() {
            "recall" => Ok(TextMode::Recall),
            "precise" => Ok(TextMode::Precise),
            o => Err(format!("free_text {o:?}: recall or precise")),
        }
    }

    /// A policy's `free_text` and `[free_text_columns]` settings, parsed (the pseudonymize
    /// policy and the share policy read them alike); `recall` when unset.
    pub fn settings(
        global: Option<&str>,
        columns: &BTreeMap<String, String>,
    ) -> Result<(TextMode, BTreeMap<String, TextMode>), String> {
        let global = global.map(TextMode::parse).transpose()?.unwrap_or_default();
        let columns = columns
            .iter()
            .map(|(k, v)| TextMode::parse(v).map(|m| (k.clone(), m)))
            .collect::<Result<_, _>>()?;
        Ok((global, columns))
    }

    /// The mode's name, as the manifest records it.
    pub fn name(self) -> &'static str {
        match self {
            TextMode::Recall => "recall",
            TextMode::Precise => "precise",
        }
    }
}

/// What a policy file adds to (its `extends` key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extends {
    /// The built-in policy; the file's entries override it one by one (the default).
    Builtin,
    /// Nothing: the file alone.
    None,
}

impl Extends {
    /// `extends` as written: absent or `"builtin"`, or `"none"`.
    pub fn parse(s: Option<&str>) -> Result<Extends, String> {
        Extends::parse_or(s, Extends::Builtin)
    }

    /// `extends` as written, `absent` when the file does not say.
    pub fn parse_or(s: Option<&str>, absent: Extends) -> Result<Extends, String> {
        match s.map(str::trim) {
            None => Ok(absent),
            Some("builtin") => Ok(Extends::Builtin),
            Some("none") => Ok(Extends::None),
            Some(o) => Err(format!(
                "extends {o:?}: \"builtin\" (the default) or \"none\""
            )),
        }
    }
}

/// A compiled policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Fallback operator.
    pub default: Operator,
    /// Per entity.
    pub entities: BTreeMap<String, Operator>,
    /// Per column path.
    pub columns: BTreeMap<String, Operator>,
    /// The region of national phone numbers (policy `phone_region`, `--phone-region`).
    pub phone_region: Option<phonenumber::country::Id>,
    /// How free-text columns are pseudonymized (policy `free_text`).
    pub free_text: TextMode,
    /// Per free-text column (policy `[free_text_columns]`).
    pub free_text_columns: BTreeMap<String, TextMode>,
}

/// The default policy, with comments: what `shroud policy init` writes.
pub const DEFAULT_POLICY: &str = include_str!("default_policy.toml");

/// A phone region by its ISO 3166 code (`DE`, `gb`).
pub fn parse_region(code: &str) -> Result<phonenumber::country::Id, String> {
    code.trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| format!("phone_region {code:?} is not a region code (DE, GB, US, ...)"))
}

impl Policy {
    /// Parses and checks a policy file's text (entities: the built-in ones).
    pub fn parse(text: &str) -> Result<Policy, String> {
        Policy::parse_with(text, &[])
    }

    /// Parses and checks a policy; `extra_entities` are entities that user rules add. An
    /// entity name nobody finds is an error (a typo would silently keep values raw), and so
    /// is `fpe` for an entity it cannot cover (it encrypts digits only).
    ///
    /// A policy extends the built-in one unless it says `extends = "none"`: a file with the
    /// one line `EMAIL_ADDRESS = "keep"` under `[entities]` keeps emails and leaves every
    /// other entity as the default policy treats it.
    pub fn parse_with(text: &str, extra_entities: &[String]) -> Result<Policy, String> {
        let spec: PolicySpec = toml::from_str(text).map_err(|e| e.to_string())?;
        let spec = match Extends::parse(spec.extends.as_deref())? {
            Extends::None => spec,
            Extends::Builtin => {
                let mut base: PolicySpec =
                    toml::from_str(DEFAULT_POLICY).expect("the default policy is valid");
                // A file that sets `default` means it for every entity it does not name:
                // the built-in entries are not kept beside it (`default = "redact"` stays
                // as strict as it reads).
                if spec.default.is_some() {
                    base.entities.clear();
                }
                base.default = spec.default.or(base.default);
                base.entities.extend(spec.entities);
                base.columns.extend(spec.columns);
                base.phone_region = spec.phone_region.or(base.phone_region);
                base.free_text = spec.free_text.or(base.free_text);
                base.free_text_columns.extend(spec.free_text_columns);
                base
            }
        };
        for (e, op) in &spec.entities {
            let known = crate::entity::lookup(e);
            if known.is_none() && !extra_entities.iter().any(|x| x == e) {
                return Err(format!(
                    "entity {e}: unknown entity{} (`shroud rules list` shows the entities)",
                    crate::entity::did_you_mean(e)
                ));
            }
            if op.compile()? == Operator::Fpe && !known.is_some_and(|k| k.fpe) {
                return Err(format!(
                    "entity {e}: fpe encrypts digits only and would leave the rest of a {e} value in clear; use token, mask or redact"
                ));
            }
        }
        if let Some(d) = &spec.default
            && d.compile()? == Operator::Fpe
        {
            return Err(
                "default: fpe encrypts digits only; it cannot be the operator for every entity"
                    .into(),
            );
        }
        let compile_map = |m: &BTreeMap<String, OperatorSpec>,
                           what: &str|
         -> Result<BTreeMap<String, Operator>, String> {
            m.iter()
                .map(|(k, v)| {
                    v.compile()
                        .map(|op| (k.clone(), op))
                        .map_err(|e| format!("{what} {k}: {e}"))
                })
                .collect()
        };
        let (free_text, free_text_columns) =
            TextMode::settings(spec.free_text.as_deref(), &spec.free_text_columns)?;
        Ok(Policy {
            default: spec
                .default
                .as_ref()
                .map(OperatorSpec::compile)
                .transpose()?
                .unwrap_or(Operator::Redact),
            entities: compile_map(&spec.entities, "entity")?,
            columns: compile_map(&spec.columns, "column")?,
            phone_region: spec.phone_region.as_deref().map(parse_region).transpose()?,
            free_text,
            free_text_columns,
        })
    }

    /// The policy in full, as a self-contained policy file (`extends = "none"`): what
    /// `shroud policy show` prints. Parsing it gives this policy back.
    pub fn to_toml(&self) -> String {
        fn op(o: &Operator) -> toml::Value {
            let mut t = toml::Table::new();
            t.insert("op".into(), o.name().into());
            match o {
                Operator::Mask { keep_last } => {
                    t.insert("keep_last".into(), (*keep_last as i64).into());
                }
                Operator::Replace { tag: Some(tag) } => {
                    t.insert("tag".into(), tag.as_str().into());
                }
                Operator::DateShift { max_days } => {
                    t.insert("max_days".into(), i64::from(*max_days).into());
                }
                Operator::Generalize { band: Some(b) } => {
                    t.insert("band".into(), (*b as i64).into());
                }
                _ => return o.name().into(),
            }
            toml::Value::Table(t)
        }
        let mut t = toml::Table::new();
        t.insert("extends".into(), "none".into());
        t.insert("default".into(), op(&self.default));
        if let Some(r) = self.phone_region {
            t.insert("phone_region".into(), r.as_ref().into());
        }
        t.insert("free_text".into(), self.free_text.name().into());
        let table = |m: &mut dyn Iterator<Item = (String, toml::Value)>| {
            toml::Value::Table(m.collect::<toml::Table>())
        };
        t.insert(
            "entities".into(),
            table(&mut self.entities.iter().map(|(k, v)| (k.clone(), op(v)))),
        );
        t.insert(
            "free_text_columns".into(),
            table(
                &mut self
                    .free_text_columns
                    .iter()
                    .map(|(k, v)| (k.clone(), v.name().into())),
            ),
        );
        t.insert(
            "columns".into(),
            table(&mut self.columns.iter().map(|(k, v)| (k.clone(), op(v)))),
        );
        format!(
            "# The effective policy: the built-in one with the file's entries applied.\n{}",
            toml::to_string(&t).expect("a policy serializes")
        )
    }

    /// How free-text column `column` is pseudonymized.
    pub fn text_mode(&self, column: &str) -> TextMode {
        self.free_text_columns
            .get(column)
            .copied()
            .unwrap_or(self.free_text)
    }

    /// The built-in default policy.
    pub fn builtin() -> Policy {
        Policy::parse(DEFAULT_POLICY).expect("the default policy is valid")
    }

    /// The operator for a value of `entity` in column `column`.
    pub fn operator(&self, column: &str, entity: &str) -> &Operator {
        self.columns
            .get(column)
            .or_else(|| self.entities.get(entity))
            .unwrap_or(&self.default)
    }

    /// Whether any operator the policy can choose needs a key.
    pub fn needs_key(&self) -> bool {
        self.default.needs_key()
            || self.entities.values().any(Operator::needs_key)
            || self.columns.values().any(Operator::needs_key)
    }
}

/// The result of transforming one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// The value unchanged.
    Same,
    /// A new value.
    Value(String),
    /// No value: empty in CSV, null in JSON and Parquet, removed from free text.
    Null,
}

/// Applies operators with a key.
pub struct Transformer {
    token: Option<token::Tokenizer>,
    fpe_key: Option<zeroize::Zeroizing<[u8; 32]>>,
    shift_key: Option<zeroize::Zeroizing<[u8; 32]>>,
}

impl fmt::Debug for Transformer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Transformer { .. }")
    }
}

/// Errors from transforming.
#[derive(Debug, thiserror::Error)]
pub enum TransformError {
    /// A keyed operator was chosen but no key was given.
    #[error("operator {0} needs a key, and none was given")]
    NoKey(String),
    /// `fpe` met a value with letters, which it would leave in clear.
    #[error(
        "fpe encrypts digits only, and a value of {0} holds letters that would stay in clear: use token, mask or redact for this column"
    )]
    FpeLetters(String),
}

impl Transformer {
    /// A transformer; `key` may be `None` when the policy uses no keyed operator.
    pub fn new(key: Option<&Key>) -> Transformer {
        Transformer {
            token: key.map(|k| token::Tokenizer::new(&k.subkey("token"))),
            fpe_key: key.map(|k| k.subkey("fpe")),
            shift_key: key.map(|k| k.subkey("date_shift")),
        }
    }

    /// Transforms `value` of `entity` with `op`.
    pub fn apply(
        &self,
        op: &Operator,
        entity: &str,
        value: &str,
    ) -> Result<Output, TransformError> {
        self.apply_in(op, entity, value, None)
    }

    /// [`Transformer::apply_in`] for a cell of a column whose epoch dates are in `epoch`
    /// ticks per second, decided once for the column ([`epoch::decide`]): an epoch birth date
    /// generalized (or shifted, which for numbers generalizes) becomes January 1st of its year
    /// in that unit, whatever its own size suggests.
    pub fn apply_column(
        &self,
        op: &Operator,
        entity: &str,
        value: &str,
        region: Option<phonenumber::country::Id>,
        epoch: Option<i64>,
    ) -> Result<Output, TransformError> {
        if let (Some(per), Operator::Generalize { .. } | Operator::DateShift { .. }) = (epoch, op) {
            let folded = crate::detect::normalize::fold(value);
            let t = folded.trim();
            let t = t.strip_suffix(".0").unwrap_or(t);
            // Any integer of the column is in its unit (1970-01-02 in seconds has five
            // digits), except a four-digit year, which generalizes as a year.
            let year = t.len() == 4 && t.parse::<u32>().is_ok_and(|y| (1800..=2200).contains(&y));
            let compact = epoch::compact_date(t.as_bytes());
            if let Some(v) = t.parse::<i64>().ok().filter(|_| !year && !compact) {
                let secs = v.div_euclid(per);
                let (y, _, _) = civil_from_days(secs.div_euclid(86_400));
                if let Some(jan1) = days_from_civil(y, 1, 1)
                    .checked_mul(86_400)
                    .and_then(|s| s.checked_mul(per))
                {
                    return Ok(if jan1.to_string() == value {
                        Output::Same
                    } else {
                        Output::Value(jan1.to_string())
                    });
                }
            }
        }
        self.apply_in(op, entity, value, region)
    }

    /// [`Transformer::apply`] with the phone region the value's column or file evidently
    /// uses: a national phone number is keyed as the international number it is there
    /// (`0151 23456789` in a German column and `+49 151 23456789` get one token).
    pub fn apply_in(
        &self,
        op: &Operator,
        entity: &str,
        value: &str,
        region: Option<phonenumber::country::Id>,
    ) -> Result<Output, TransformError> {
        // Keyed on the value as detection read it: `4155550142.0`, `４１５５５５０１４２` and
        // `4155550142` are one value.
        let folded = crate::detect::normalize::fold(value);
        let value = folded.as_ref();
        Ok(match op {
            Operator::Keep => Output::Same,
            Operator::Drop | Operator::Redact => Output::Null,
            Operator::Replace { tag } => Output::Value(tag.clone().unwrap_or_else(|| {
                if entity.is_empty() {
                    "<REDACTED>".to_string()
                } else {
                    format!("<{entity}>")
                }
            })),
            Operator::Mask { keep_last } => Output::Value(mask_keep_last(value, *keep_last)),
            Operator::Generalize { band: None } => generalize(entity, value),
            Operator::Generalize { band: Some(b) } => band_of(value, *b),
            Operator::Token => {
                let t = self
                    .token
                    .as_ref()
                    .ok_or_else(|| TransformError::NoKey(op.to_string()))?;
                Output::Value(t.token_in(entity, value, region))
            }
            Operator::Fpe => {
                let k = self
                    .fpe_key
                    .as_ref()
                    .ok_or_else(|| TransformError::NoKey(op.to_string()))?;
                if value.chars().any(char::is_alphabetic) {
                    return Err(TransformError::FpeLetters(entity.to_string()));
                }
                match token::fpe_digits(k, entity, value, true) {
                    Some(v) => Output::Value(v),
                    // Fewer than 6 digits: FF1 refuses the domain; tokenize instead.
                    None => Output::Value(
                        self.token
                            .as_ref()
                            .ok_or_else(|| TransformError::NoKey(op.to_string()))?
                            .token_in(entity, value, region),
                    ),
                }
            }
            Operator::DateShift { max_days } => {
                let k = self
                    .shift_key
                    .as_ref()
                    .ok_or_else(|| TransformError::NoKey(op.to_string()))?;
                date_shift(k, *max_days, value)
            }
            Operator::Unfpe => {
                let k = self
                    .fpe_key
                    .as_ref()
                    .ok_or_else(|| TransformError::NoKey(op.to_string()))?;
                token::fpe_digits(k, entity, value, false).map_or(Output::Same, Output::Value)
            }
        })
    }
}

/// Keeps the last `keep` alphanumerics, stars the other alphanumerics, keeps separators.
pub fn mask_keep_last(value: &str, keep: usize) -> String {
    let total = value.chars().filter(|c| c.is_alphanumeric()).count();
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen > total.saturating_sub(keep) {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect()
}

/// Coarsens a value by entity (the registry's [`crate::entity::Generalize`]): IPv4 to its
/// /24, IPv6 to its /48, a birth date to January 1st of its year in its own layout (a date
/// stays a date: `1986-01-24` -> `1986-01-01`, `24.01.1986` -> `01.01.1986`, an epoch number
/// stays an epoch number), a postal code to 3 characters, an email to its domain, numbers to
/// bands of a power of ten; what cannot be coarsened is redacted.
pub fn generalize(entity: &str, value: &str) -> Output {
    use crate::entity::Generalize;
    let v = value.trim();
    if let Ok(ip) = v.parse::<std::net::Ipv4Addr>() {
        let o = ip.octets();
        return Output::Value(format!("{}.{}.{}.0/24", o[0], o[1], o[2]));
    }
    if let Ok(ip) = v.parse::<std::net::Ipv6Addr>() {
        let s = ip.segments();
        return Output::Value(format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2]));
    }
    let kind = crate::entity::lookup(entity).map_or(Generalize::Band, |e| e.generalize);
    let out = match kind {
        Generalize::Year => first_of_year(v),
        Generalize::Prefix3 => Some(v.chars().filter(|c| !c.is_whitespace()).take(3).collect()),
        Generalize::Domain => v.rsplit_once('@').map(|(_, d)| d.to_lowercase()),
        Generalize::Network => network_of(v),
        Generalize::Band => match v.parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => {
                let width = 10f64.powi(((n.max(1.0)).log10().floor() as i32).max(1));
                let lo = (n / width).floor() * width;
                Some(format!("{}-{}", lo, lo + width - 1.0))
            }
            _ => None,
        },
    };
    match out {
        Some(o) if o == value => Output::Same,
        Some(o) => Output::Value(o),
        None => Output::Null,
    }
}

/// `value` as the band of width `width` it falls in (`1961`, 10 -> `1960-1969`; `-3`, 10 ->
/// `-10--1`); a value that is no number (or no integer, with a fraction) is redacted. A
/// value that already is such a band stays as it is.
pub fn band_of(value: &str, width: u64) -> Output {
    let v = value.trim();
    let w = width as i128;
    if let Some((lo, hi)) = v.split_once('-').filter(|(lo, _)| !lo.is_empty())
        && let (Ok(lo), Ok(hi)) = (lo.parse::<i128>(), hi.parse::<i128>())
        && lo.rem_euclid(w) == 0
        && hi == lo + w - 1
    {
        return Output::Same;
    }
    let n = match v.parse::<i128>() {
        Ok(n) => n,
        Err(_) => match v.parse::<f64>() {
            Ok(f) if f.is_finite() && f.abs() < 1e30 => f.floor() as i128,
            _ => return Output::Null,
        },
    };
    let lo = n.div_euclid(w) * w;
    match lo.checked_add(w - 1) {
        Some(hi) => Output::Value(format!("{lo}-{hi}")),
        None => Output::Null,
    }
}

/// An IP network written as `a.b.c.0/24` or `a:b:c::/48` stays as it is.
fn network_of(v: &str) -> Option<String> {
    let (addr, bits) = v.split_once('/')?;
    let ok = match bits {
        "24" => addr
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|a| a.octets()[3] == 0),
        "48" => addr
            .parse::<std::net::Ipv6Addr>()
            .is_ok_and(|a| a.segments()[3..].iter().all(|&s| s == 0)),
        _ => false,
    };
    ok.then(|| v.to_string())
}

/// Whether `value` is already what `generalize` makes of it (a share policy lets such values
/// through: a birth date on January 1st, a 3-character postal code, an IPv4 /24).
pub fn is_generalized(entity: &str, value: &str) -> bool {
    match generalize(entity, value) {
        Output::Same => true,
        Output::Value(v) => v == value.trim(),
        Output::Null => false,
    }
}

/// January 1st of the year of a date, in the date's own layout; `None` when no date is found.
fn first_of_year(v: &str) -> Option<String> {
    let b = v.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let all_digits = |r: std::ops::Range<usize>| r.end <= b.len() && r.into_iter().all(digit);
    // ISO and year-first: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, then anything (a time).
    if b.len() >= 10
        && all_digits(0..4)
        && matches!(b[4], b'-' | b'/' | b'.')
        && b[7] == b[4]
        && all_digits(5..7)
        && all_digits(8..10)
        && v.is_char_boundary(10)
    {
        let sep = b[4] as char;
        let mut out = format!("{}{sep}01{sep}01", &v[..4]);
        // A time of day goes to midnight; a zone offset stays.
        let rest = &v[10..];
        let zone = rest
            .char_indices()
            .skip(1)
            .find(|&(_, c)| matches!(c, 'Z' | '+' | '-'))
            .map_or(rest.len(), |(i, _)| i);
        out.extend(
            rest[..zone]
                .chars()
                .map(|c| if c.is_ascii_digit() { '0' } else { c }),
        );
        out.push_str(&rest[zone..]);
        return Some(out);
    }
    // Compact YYYYMMDD.
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        let y: u32 = v[..4].parse().ok()?;
        if (1800..=2200).contains(&y) {
            return Some(format!("{}0101", &v[..4]));
        }
    }
    // Day and month first, year last: 1/24/1986, 24.01.1986, 24-01-1986.
    let parts: Vec<&str> = v.split(['/', '.', '-']).collect();
    if parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
        && parts[2].len() == 4
        && parts[0].len() <= 2
        && parts[1].len() <= 2
    {
        let sep = v[parts[0].len()..].chars().next()?;
        let one = |p: &str| if p.len() == 2 { "01" } else { "1" };
        return Some(format!(
            "{}{sep}{}{sep}{}",
            one(parts[0]),
            one(parts[1]),
            parts[2]
        ));
    }
    // An epoch number (milliseconds or seconds, as pandas and JSON exports write dates).
    if v.len() >= 6
        && let Ok(n) = v.parse::<i64>()
    {
        let (ms, secs) = if n.unsigned_abs() >= 100_000_000_000 {
            (true, n.div_euclid(1000))
        } else {
            (false, n)
        };
        let (y, _, _) = civil_from_days(secs.div_euclid(86_400));
        let jan1 = days_from_civil(y, 1, 1) * 86_400;
        return Some(if ms {
            (jan1 * 1000).to_string()
        } else {
            jan1.to_string()
        });
    }
    year_of(v).map(|y| y.to_string())
}

/// The four-digit year in a date written in one of the common layouts.
fn year_of(v: &str) -> Option<u32> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter(|p| p.len() == 4)
        .filter_map(|p| p.parse::<u32>().ok())
        .find(|y| (1800..=2200).contains(y))
}

/// Shifts an ISO date (`YYYY-MM-DD`, optionally with a time) by a keyed number of days, the
/// same for every value; other layouts are generalized to the year.
fn date_shift(key: &[u8; 32], max_days: u32, value: &str) -> Output {
    let v = value.trim();
    let b = v.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = b.get(r)?;
        s.iter()
            .all(u8::is_ascii_digit)
            .then(|| s.iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0')))
    };
    // Byte checks only: a value with non-ASCII digits (`1969-03-1\u{ff15}`) is no date here.
    let parsed = (b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && v.is_char_boundary(10))
        .then(|| Some((i64::from(num(0..4)?), num(5..7)?, num(8..10)?)))
        .flatten()
        .filter(|&(_, m, d)| (1..=12).contains(&m) && (1..=31).contains(&d));
    let Some((y, m, d)) = parsed else {
        return generalize("DATE_OF_BIRTH", v);
    };
    let span = i64::from(max_days) * 2 + 1;
    let h = token::keyed_u64(key, b"date_shift", b"");
    let shift = (h % span as u64) as i64 - i64::from(max_days);
    let days = days_from_civil(y, m, d) + shift;
    let (ny, nm, nd) = civil_from_days(days);
    Output::Value(format!("{ny:04}-{nm:02}-{nd:02}{}", &v[10..]))
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_and_its_folded_forms_get_one_token() {
        let key =
            key::Key::parse(b"3c9e51a07f2b8d64e1a5c03b97f8d2460b1e7a93c5d8f2064a7e1b9c3d5f8a02")
                .unwrap();
        let t = Transformer::new(Some(&key));
        let tok = |v: &str| match t.apply(&Operator::Token, "PHONE_NUMBER", v).unwrap() {
            Output::Value(v) => v,
            o => panic!("{o:?}"),
        };
        assert_eq!(tok("4155550142.0"), tok("4155550142"));
        assert_eq!(tok("４１５５５５０１４２"), tok("4155550142"));
        assert_eq!(
            tok("+44\u{00A0}20\u{00A0}7946\u{00A0}0958"),
            tok("+44 20 7946 0958")
        );
    }

    #[test]
    fn a_policy_file_extends_the_builtin_one_entry_by_entry() {
        let builtin = Policy::builtin();
        let p = Policy::parse("[entities]\nEMAIL_ADDRESS = \"keep\"\n").unwrap();
        assert_eq!(p.operator("e", "EMAIL_ADDRESS"), &Operator::Keep);
        for e in crate::entity::ENTITIES.iter().map(|e| e.name) {
            if e != "EMAIL_ADDRESS" {
                assert_eq!(p.operator("c", e), builtin.operator("c", e), "{e}");
            }
        }
        assert_eq!(p.default, builtin.default);
        assert_eq!(p.free_text, builtin.free_text);
        // The whole built-in text, re-read as a user file, is the built-in policy.
        assert_eq!(Policy::parse(DEFAULT_POLICY).unwrap(), builtin);
        // `extends = "none"`: the file alone.
        let alone =
            Policy::parse("extends = \"none\"\n[entities]\nEMAIL_ADDRESS = \"keep\"\n").unwrap();
        assert_eq!(alone.operator("c", "PERSON"), &Operator::Redact);
        assert_eq!(alone.entities.len(), 1);
        assert!(
            Policy::parse("extends = \"mine\"")
                .unwrap_err()
                .contains("extends")
        );
    }

    proptest::proptest! {
        /// `policy show` prints a file that parses back to the very policy it shows.
        #[test]
        fn the_shown_policy_parses_back_to_itself(
            ops in proptest::collection::vec((0usize..9, 0usize..12, 1u32..400), 0..12),
            cols in proptest::collection::vec(("[a-zA-Z0-9_. \"'\\\\=é-]{1,12}", 0usize..9), 0..5),
            text in proptest::collection::vec(("[a-z.\"]{1,8}", proptest::bool::ANY), 0..3),
            default in 0usize..8,
            region in proptest::option::of(proptest::sample::select(vec!["DE", "GB", "US", "FR"])),
            recall in proptest::bool::ANY,
        ) {
            let mk = |i: usize, n: usize, d: u32| match i {
                0 => Operator::Token,
                1 => Operator::Mask { keep_last: n },
                2 => Operator::Redact,
                3 => Operator::Replace { tag: n.is_multiple_of(2).then(|| format!("<T\"{n}>")) },
                4 => Operator::Generalize { band: (n > 1).then_some(n as u64) },
                5 => Operator::DateShift { max_days: d },
                6 => Operator::Keep,
                7 => Operator::Drop,
                _ => Operator::Fpe,
            };
            let entities = crate::entity::ENTITIES.iter().filter(|e| e.fpe).map(|e| e.name).collect::<Vec<_>>();
            let p = Policy {
                default: mk(default, 3, 10),
                entities: ops.iter().enumerate().map(|(j, &(i, n, d))| (entities[j % entities.len()].to_string(), mk(i, n, d))).collect(),
                columns: cols.iter().map(|(c, i)| (c.clone(), mk(*i, 2, 5))).collect(),
                phone_region: region.map(|r| parse_region(r).unwrap()),
                free_text: if recall { TextMode::Recall } else { TextMode::Precise },
                free_text_columns: text.iter().map(|(c, r)| (c.clone(), if *r { TextMode::Recall } else { TextMode::Precise })).collect(),
            };
            let shown = p.to_toml();
            proptest::prop_assert_eq!(Policy::parse(&shown).unwrap(), p, "{}", shown);
        }
    }

    #[test]
    fn numbers_generalize_to_bands_of_the_width_asked() {
        let v = |o: Output| match o {
            Output::Value(v) => v,
            o => format!("{o:?}"),
        };
        assert_eq!(v(band_of("1961", 10)), "1960-1969");
        assert_eq!(v(band_of(" 1970 ", 10)), "1970-1979");
        assert_eq!(v(band_of("37.9", 5)), "35-39");
        assert_eq!(v(band_of("-3", 10)), "-10--1");
        assert!(matches!(band_of("1960-1969", 10), Output::Same));
        assert!(matches!(band_of("n/a", 10), Output::Null));
        assert!(matches!(
            band_of("170141183460469231731687303715884105727", 10),
            Output::Null
        ));
        // Every number lands in the one band that holds it.
        for n in -1000i64..1000 {
            let b = v(band_of(&n.to_string(), 7));
            let lo: i64 = b[..b[1..].find('-').unwrap() + 1].parse().unwrap();
            assert!(lo <= n && n < lo + 7 && lo.rem_euclid(7) == 0, "{n} -> {b}");
        }
    }

    #[test]
    fn an_option_an_operator_does_not_know_is_an_error_not_ignored() {
        let p = Policy::parse(
            r#"[columns]
birth_year = { op = "generalize", band = 10 }"#,
        )
        .unwrap();
        assert_eq!(
            p.operator("birth_year", ""),
            &Operator::Generalize { band: Some(10) }
        );
        for bad in [
            r#"x = { op = "mask", keep_lst = 2 }"#,
            r#"x = { op = "token", band = 10 }"#,
            r#"x = { op = "generalize", keep_last = 2 }"#,
            r#"x = { op = "generalize", band = 1 }"#,
        ] {
            assert!(
                Policy::parse(&format!("[columns]\n{bad}")).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn default_policy_parses() {
        let p = Policy::builtin();
        assert_eq!(p.operator("email", "EMAIL_ADDRESS"), &Operator::Token);
        assert_eq!(
            p.operator("dob", "DATE_OF_BIRTH"),
            &Operator::Generalize { band: None }
        );
        assert_eq!(p.operator("x", "SOMETHING_NEW"), &Operator::Redact);
        assert!(p.needs_key());
    }

    #[test]
    fn policy_overrides_and_errors() {
        let p = Policy::parse("default = \"replace\"\n[entities]\nCREDIT_CARD = { op = \"mask\", keep_last = 4 }\n[columns]\n\"user.email\" = \"drop\"\n").unwrap();
        assert_eq!(p.operator("user.email", "EMAIL_ADDRESS"), &Operator::Drop);
        assert_eq!(
            p.operator("card", "CREDIT_CARD"),
            &Operator::Mask { keep_last: 4 }
        );
        // The file's `default` covers every entity it does not name.
        assert_eq!(p.operator("x", "PERSON"), &Operator::Replace { tag: None });
        assert_eq!(
            p.operator("x", "NEW_THING"),
            &Operator::Replace { tag: None }
        );
        assert!(
            Policy::parse("[entities]\nPERSON = \"shred\"\n")
                .unwrap_err()
                .contains("unknown operator")
        );
        // A misspelled entity would silently keep values raw under `default = "keep"`.
        let e = Policy::parse("default = \"keep\"\n[entities]\nEMAIL_ADRESS = \"token\"\n")
            .unwrap_err();
        assert!(
            e.contains("unknown entity") && e.contains("EMAIL_ADDRESS"),
            "{e}"
        );
        assert!(
            Policy::parse_with("[entities]\nMY_ID = \"token\"\n", &["MY_ID".to_string()]).is_ok()
        );
        // fpe covers digits only.
        assert!(Policy::parse("[entities]\nEMAIL_ADDRESS = \"fpe\"\n").is_err());
        assert!(Policy::parse("[entities]\nCREDIT_CARD = \"fpe\"\n").is_ok());
        assert!(Policy::parse("bogus = 1\n").is_err());
    }

    #[test]
    fn generalizations() {
        assert_eq!(
            generalize("IP_ADDRESS", "203.0.113.7"),
            Output::Value("203.0.113.0/24".into())
        );
        assert_eq!(
            generalize("IP_ADDRESS", "2001:db8:85a3::1"),
            Output::Value("2001:db8:85a3::/48".into())
        );
        assert_eq!(
            generalize("DATE_OF_BIRTH", "03/15/1969"),
            Output::Value("01/01/1969".into())
        );
        assert_eq!(
            generalize("DATE_OF_BIRTH", "1980-03-04"),
            Output::Value("1980-01-01".into())
        );
        assert_eq!(
            generalize("DATE_OF_BIRTH", "24.01.1986"),
            Output::Value("01.01.1986".into())
        );
        assert_eq!(
            generalize("DATE_OF_BIRTH", "1986-01-24T10:22:33+02:00"),
            Output::Value("1986-01-01T00:00:00+02:00".into())
        );
        // pandas' to_json writes dates as epoch milliseconds: 1986-01-24.
        assert_eq!(
            generalize("DATE_OF_BIRTH", "506908800000"),
            Output::Value("504921600000".into())
        );
        assert!(is_generalized("DATE_OF_BIRTH", "1986-01-01"));
        assert!(is_generalized("DATE_OF_BIRTH", "1986"));
        assert!(!is_generalized("DATE_OF_BIRTH", "1986-01-24"));
        assert!(is_generalized("POSTAL_CODE", "SW1"));
        assert_eq!(
            generalize("POSTAL_CODE", "SW1A 1AA"),
            Output::Value("SW1".into())
        );
        assert_eq!(generalize("AGE", "37"), Output::Value("30-39".into()));
        assert_eq!(generalize("AGE", "9"), Output::Value("0-9".into()));
    }

    #[test]
    fn masks_and_shifts() {
        assert_eq!(
            mask_keep_last("4111 1111 1111 1234", 4),
            "**** **** **** 1234"
        );
        let k = [7u8; 32];
        let a = date_shift(&k, 30, "1980-03-04");
        let b = date_shift(&k, 30, "1980-03-05");
        let (Output::Value(a), Output::Value(b)) = (a, b) else {
            panic!()
        };
        let da = days_from_civil(
            a[0..4].parse().unwrap(),
            a[5..7].parse().unwrap(),
            a[8..10].parse().unwrap(),
        );
        let db = days_from_civil(
            b[0..4].parse().unwrap(),
            b[5..7].parse().unwrap(),
            b[8..10].parse().unwrap(),
        );
        assert_eq!(db - da, 1, "consistent shift keeps intervals");
        assert_eq!(civil_from_days(days_from_civil(2000, 2, 29)), (2000, 2, 29));
        // Non-ASCII digits are not a date (and never a panic).
        assert_eq!(
            date_shift(&k, 30, "1969-03-1\u{ff15}"),
            Output::Value("1969".into()),
            "generalized to its year, never a panic"
        );
    }
}
