//! The share policy of `check`: what may leave (entities allowed or denied, generalized
//! values by length, allow-lists by value, pattern or column with a reason, a confidence
//! threshold, k-anonymity over quasi-identifiers), parsed from TOML and compiled once.

use serde::Deserialize;
use std::collections::BTreeMap;

/// A share policy as written (TOML).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharePolicySpec {
    /// What the file adds to: `"none"` (the default: the file alone, so a gate never allows
    /// more than its file says) or `"builtin"` (the default share policy, which the file's
    /// entries override one by one; its allow-list entries are added).
    pub extends: Option<String>,
    /// Findings scoring below this do not count (default 0.5).
    pub min_confidence: Option<f32>,
    /// Entities that may appear: `LOCATION = "allow"` or `POSTAL_CODE = { allow = true,
    /// max_length = 3 }` (allowed when generalized to at most 3 characters).
    #[serde(default)]
    pub entities: BTreeMap<String, EntityRuleSpec>,
    /// Allow-list entries, each with a reason.
    #[serde(default)]
    pub allow: Vec<AllowSpec>,
    /// Minimum k over quasi-identifiers.
    pub k_anonymity: Option<KSpec>,
    /// How free-text columns are judged: `recall` (the default: any word that could identify
    /// a person and is not explained fails) or `precise` (only what the rules find).
    pub free_text: Option<String>,
    /// The same per column.
    #[serde(default)]
    pub free_text_columns: BTreeMap<String, String>,
    /// Columns the rules give no verdict but whose values are mostly distinct and text-like
    /// ([`crate::detect::shape`]): `"warn"` (the default: listed) or `"fail"`.
    pub unexplained: Option<String>,
}

/// An entity rule as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum EntityRuleSpec {
    /// `"allow"` or `"deny"`.
    Word(String),
    /// A table.
    Table(EntityRuleTable),
}

/// An entity rule with options. A key it does not know is an error, never ignored (a
/// misspelt `generalised = true` would otherwise judge by the rest).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityRuleTable {
    /// Whether the entity may appear.
    pub allow: bool,
    /// Allowed when the value has at most this many characters.
    pub max_length: Option<usize>,
    /// Allowed when the value is already generalized: `generalize` leaves it as it is
    /// (a birth date on January 1st, a postal code of 3 characters, an IPv4 /24).
    #[serde(default)]
    pub generalized: bool,
}

/// An allow-list entry: exactly one of `value`, `pattern`, `column`, `file`, plus a reason.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowSpec {
    /// A glob of files `check` may pass without reading (files it cannot read: binaries,
    /// archives, unknown formats).
    pub file: Option<String>,
    /// An exact value (compared after trimming).
    pub value: Option<String>,
    /// A regular expression a value must match.
    pub pattern: Option<String>,
    /// A column path known to be safe (all its findings are waived).
    pub column: Option<String>,
    /// Restrict the entry to one entity.
    pub entity: Option<String>,
    /// Why this is safe (required; shown in the output).
    pub reason: String,
}

/// The k-anonymity requirement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KSpec {
    /// Which files the requirement holds for: globs over the path as shroud shows it, or
    /// over the file name alone (`orders*.csv`). Empty: every data file, and a file without
    /// one of the quasi-identifiers fails (a bound nobody could check is never passed).
    #[serde(default)]
    pub files: Vec<String>,
    /// Quasi-identifier columns.
    pub quasi_identifiers: Vec<String>,
    /// Smallest acceptable equivalence class.
    pub k_min: u64,
}

impl KSpec {
    fn globs(&self) -> Result<globset::GlobSet, String> {
        let mut set = globset::GlobSetBuilder::new();
        for f in &self.files {
            set.add(globset::Glob::new(f).map_err(|e| format!("k_anonymity.files {f:?}: {e}"))?);
        }
        set.build().map_err(|e| e.to_string())
    }

    /// Whether the requirement holds for the file at `path`.
    pub fn applies_to(&self, path: &str) -> bool {
        if self.files.is_empty() {
            return true;
        }
        // Checked when the policy was parsed; a set that does not build holds everywhere.
        let Ok(set) = self.globs() else {
            return true;
        };
        let name = std::path::Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        set.is_match(path) || set.is_match(&name)
    }
}

/// The default share policy: what `shroud pseudonymize`'s default policy keeps may stay.
pub const DEFAULT_SHARE_POLICY: &str = r#"# shroud check: share policy
# A share policy file stands alone: it allows only what it says. `extends = "builtin"`
# makes it extend this one (its entries override these one by one, its [[allow]] entries
# are added).
# extends = "builtin"

# Findings below this confidence do not count.
min_confidence = 0.5

[entities]
# Quasi-identifiers that the default pseudonymization keeps. Measure their risk with
# [k_anonymity] below or `shroud risk` before sharing row-level data.
LOCATION = "allow"
GENDER = "allow"
# A company's registration number is no person's:
BR_CNPJ = "allow"
# Postal codes generalized to 3 characters pass:
POSTAL_CODE = { allow = false, max_length = 3 }
# Birth dates generalized to their year (January 1st, or a bare year) pass:
DATE_OF_BIRTH = { allow = false, generalized = true }

# Values and columns known to be safe, each with a reason:
# [[allow]]
# value = "+1 800 555 0100"
# reason = "company support line"
# [[allow]]
# pattern = '@example\.(com|org|net)$'
# reason = "reserved test domains"
# [[allow]]
# column = "support_email"
# reason = "shared mailbox, not a person"
# Files check cannot read (binaries, archives, unknown formats) fail unless allowed:
# [[allow]]
# file = "**/*.pdf"
# reason = "contracts, reviewed by legal"

# Columns the rules give no verdict whose values are mostly distinct and text-like (street
# names, mangled card numbers, ids of unknown countries) are listed as UNEXPLAINED with
# their shape; "fail" (or check --strict) fails the file on them:
# unexplained = "fail"

# [k_anonymity]
# files = ["orders*"]            # which files (globs over path or name); default: every file
# quasi_identifiers = ["zip", "birth_year", "gender"]
# k_min = 5
"#;

/// What a share policy says of one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EntityRule {
    allow: bool,
    max_length: Option<usize>,
    generalized: bool,
}

/// A compiled share policy.
#[derive(Debug)]
pub struct SharePolicy {
    /// Findings scoring below this do not count.
    pub min_confidence: f32,
    entities: BTreeMap<String, EntityRule>,
    allow: Vec<(AllowSpec, Option<regex_automata::meta::Regex>)>,
    files: Option<globset::GlobSet>,
    /// The k-anonymity requirement.
    pub k: Option<KSpec>,
    /// How free-text columns are judged.
    pub free_text: crate::transform::TextMode,
    /// Per column.
    pub free_text_columns: BTreeMap<String, crate::transform::TextMode>,
    /// Whether an unexplained column fails the file (policy `unexplained = "fail"`,
    /// `check --strict`); otherwise it is listed as a warning.
    pub unexplained_fails: bool,
}

impl SharePolicy {
    /// Parses and checks a share policy.
    pub fn parse(text: &str) -> Result<SharePolicy, String> {
        Self::parse_inner(text, &[])
    }

    fn parse_inner(text: &str, extra_entities: &[String]) -> Result<SharePolicy, String> {
        let spec: SharePolicySpec = toml::from_str(text).map_err(|e| e.to_string())?;
        // A share policy stands alone unless it says `extends = "builtin"`: a gate never
        // allows more than its file says.
        let spec = match crate::transform::Extends::parse_or(
            spec.extends.as_deref(),
            crate::transform::Extends::None,
        )? {
            crate::transform::Extends::None => spec,
            crate::transform::Extends::Builtin => {
                let mut base: SharePolicySpec = toml::from_str(DEFAULT_SHARE_POLICY)
                    .expect("the default share policy is valid");
                base.min_confidence = spec.min_confidence.or(base.min_confidence);
                base.entities.extend(spec.entities);
                base.allow.extend(spec.allow);
                base.k_anonymity = spec.k_anonymity.or(base.k_anonymity);
                base.free_text = spec.free_text.or(base.free_text);
                base.free_text_columns.extend(spec.free_text_columns);
                base.unexplained = spec.unexplained.or(base.unexplained);
                base
            }
        };
        let unexplained_fails = match spec.unexplained.as_deref().map(str::trim) {
            None | Some("warn") => false,
            Some("fail") => true,
            Some(o) => return Err(format!("unexplained {o:?}: \"warn\" or \"fail\"")),
        };
        let mut entities = BTreeMap::new();
        for (e, r) in spec.entities {
            if crate::entity::lookup(&e).is_none() && !extra_entities.contains(&e) {
                return Err(format!(
                    "entities.{e}: unknown entity{} (`shroud rules list` shows the entities)",
                    crate::entity::did_you_mean(&e)
                ));
            }
            let rule = match r {
                EntityRuleSpec::Word(w) if w == "allow" => EntityRule {
                    allow: true,
                    max_length: None,
                    generalized: false,
                },
                EntityRuleSpec::Word(w) if w == "deny" => EntityRule {
                    allow: false,
                    max_length: None,
                    generalized: false,
                },
                EntityRuleSpec::Word(w) => {
                    return Err(format!(
                        "entities.{e}: {w:?} is neither \"allow\" nor \"deny\""
                    ));
                }
                EntityRuleSpec::Table(EntityRuleTable {
                    allow,
                    max_length,
                    generalized,
                }) => EntityRule {
                    allow,
                    max_length,
                    generalized,
                },
            };
            entities.insert(e, rule);
        }
        let mut allow = Vec::new();
        for (i, a) in spec.allow.into_iter().enumerate() {
            let n = usize::from(a.value.is_some())
                + usize::from(a.pattern.is_some())
                + usize::from(a.column.is_some())
                + usize::from(a.file.is_some());
            if n != 1 {
                return Err(format!(
                    "allow entry {i}: give exactly one of value, pattern, column, file"
                ));
            }
            if a.reason.trim().is_empty() {
                return Err(format!("allow entry {i}: a reason is required"));
            }
            let re = a
                .pattern
                .as_deref()
                .map(|p| {
                    regex_automata::meta::Regex::new(p)
                        .map_err(|e| format!("allow entry {i}: pattern: {e}"))
                })
                .transpose()?;
            allow.push((a, re));
        }
        let min_confidence = spec.min_confidence.unwrap_or(0.5);
        if !(0.0..=1.0).contains(&min_confidence) {
            return Err("min_confidence must be within 0..=1".into());
        }
        let mut files = globset::GlobSetBuilder::new();
        let mut any_file = false;
        for (i, (a, _)) in allow.iter().enumerate() {
            if let Some(g) = &a.file {
                any_file = true;
                files
                    .add(globset::Glob::new(g).map_err(|e| format!("allow entry {i}: file: {e}"))?);
            }
        }
        let files = if any_file {
            Some(files.build().map_err(|e| e.to_string())?)
        } else {
            None
        };
        let (free_text, free_text_columns) = crate::transform::TextMode::settings(
            spec.free_text.as_deref(),
            &spec.free_text_columns,
        )?;
        if let Some(k) = &spec.k_anonymity {
            k.globs()?;
        }
        Ok(SharePolicy {
            min_confidence,
            entities,
            allow,
            files,
            k: spec.k_anonymity,
            free_text,
            free_text_columns,
            unexplained_fails,
        })
    }

    /// Parses a share policy; `extra_entities` are entities user rules add.
    pub fn parse_with(text: &str, extra_entities: &[String]) -> Result<SharePolicy, String> {
        Self::parse_inner(text, extra_entities)
    }

    /// The share policy a pseudonymization policy implies: what it keeps may appear, what
    /// it generalizes may appear generalized, nothing else. `pseudonymize --verify` judges
    /// its output with it; for the default policy it is the default share policy.
    pub fn implied_by(policy: &crate::transform::Policy) -> SharePolicy {
        use crate::transform::Operator;
        let mut entities = BTreeMap::new();
        let names: std::collections::BTreeSet<&str> = crate::entity::ENTITIES
            .iter()
            .map(|e| e.name)
            .chain(policy.entities.keys().map(String::as_str))
            .collect();
        for e in names {
            let rule = match policy.operator("", e) {
                Operator::Keep => EntityRule {
                    allow: true,
                    max_length: None,
                    generalized: false,
                },
                Operator::Generalize { .. } => EntityRule {
                    allow: false,
                    max_length: None,
                    generalized: true,
                },
                _ => EntityRule {
                    allow: false,
                    max_length: None,
                    generalized: false,
                },
            };
            entities.insert(e.to_string(), rule);
        }
        SharePolicy {
            min_confidence: 0.5,
            entities,
            allow: Vec::new(),
            files: None,
            k: None,
            free_text: policy.free_text,
            free_text_columns: policy.free_text_columns.clone(),
            unexplained_fails: false,
        }
    }

    /// How free-text column `column` is judged.
    pub fn text_mode(&self, column: &str) -> crate::transform::TextMode {
        self.free_text_columns
            .get(column)
            .copied()
            .unwrap_or(self.free_text)
    }

    /// What this policy says of `entity`, in the registry's terms (tests compare the two).
    pub fn entity_default(&self, entity: &str) -> crate::entity::ShareDefault {
        use crate::entity::ShareDefault;
        match self.entities.get(entity) {
            Some(r) if r.allow => ShareDefault::Allow,
            Some(r) if r.generalized => ShareDefault::Generalized,
            Some(EntityRule {
                max_length: Some(n),
                ..
            }) => ShareDefault::MaxLength(*n),
            _ => ShareDefault::Deny,
        }
    }

    /// Whether `entity` may appear at all (allowed outright).
    pub fn allows(&self, entity: &str) -> bool {
        self.entities.get(entity).is_some_and(|r| r.allow)
    }

    /// The reason of an allow entry that names column `column` (for any entity), if any.
    pub fn waives_column(&self, column: &str) -> Option<String> {
        self.allow
            .iter()
            .find(|(a, _)| a.column.as_deref() == Some(column) && a.entity.is_none())
            .map(|(a, _)| a.reason.clone())
    }

    /// Whether an allow entry names the file `path` (a file `check` cannot read).
    pub fn allows_file(&self, path: &std::path::Path) -> Option<String> {
        let set = self.files.as_ref()?;
        let name = path.file_name().map(std::path::Path::new);
        let hit = set
            .matches(path)
            .into_iter()
            .next()
            .or_else(|| name.and_then(|n| set.matches(n).into_iter().next()))?;
        self.allow
            .iter()
            .filter(|(a, _)| a.file.is_some())
            .nth(hit)
            .map(|(a, _)| a.reason.clone())
    }

    /// The built-in default.
    pub fn builtin() -> SharePolicy {
        SharePolicy::parse(DEFAULT_SHARE_POLICY).expect("the default share policy is valid")
    }

    /// Whether `value` of `entity` in `column` may appear; `Err(reason)` when allow-listed.
    pub(super) fn judge(&self, column: &str, entity: &str, value: &str) -> Judgement {
        if let Some(r) = self.entities.get(entity) {
            if r.allow && r.max_length.is_none_or(|m| value.chars().count() <= m) {
                return Judgement::Allowed;
            }
            if let Some(m) = r.max_length
                && value.chars().count() <= m
            {
                return Judgement::Allowed;
            }
            if r.generalized && crate::transform::is_generalized(entity, value) {
                return Judgement::Allowed;
            }
        }
        for (a, re) in &self.allow {
            if a.entity.as_deref().is_some_and(|e| e != entity) {
                continue;
            }
            let hit = a.column.as_deref() == Some(column)
                || a.value.as_deref().is_some_and(|v| v.trim() == value.trim())
                || re.as_ref().is_some_and(|r| r.is_match(value));
            if hit {
                return Judgement::Waived(a.reason.clone());
            }
        }
        Judgement::Violation
    }
}

pub(super) enum Judgement {
    Allowed,
    Waived(String),
    Violation,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table of `doc` (the document itself, tables inside tables and arrays), as the
    /// path of keys and indices that reaches it.
    fn table_paths(v: &toml::Value, here: Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            toml::Value::Table(t) => {
                out.push(here.clone());
                for (k, v) in t {
                    let mut p = here.clone();
                    p.push(k.clone());
                    table_paths(v, p, out);
                }
            }
            toml::Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    let mut p = here.clone();
                    p.push(i.to_string());
                    table_paths(v, p, out);
                }
            }
            _ => {}
        }
    }

    fn table_at<'a>(v: &'a mut toml::Value, path: &[String]) -> &'a mut toml::Table {
        let mut v = v;
        for k in path {
            v = match v {
                toml::Value::Table(t) => t.get_mut(k).unwrap(),
                toml::Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
                _ => unreachable!(),
            };
        }
        v.as_table_mut().unwrap()
    }

    /// A key no policy knows, added to any one table of a valid policy (pseudonymize's or a
    /// share policy), makes it an error: nothing written in a policy is silently ignored.
    #[test]
    fn a_key_added_to_any_table_of_a_policy_is_refused_never_ignored() {
        let pseudonymize = r#"extends = "builtin"
default = "redact"
free_text = "recall"
phone_region = "DE"
[entities]
EMAIL_ADDRESS = "token"
PHONE_NUMBER = { op = "mask", keep_last = 2 }
DATE_OF_BIRTH = { op = "date_shift", max_days = 30 }
[columns]
birth_year = { op = "generalize", band = 10 }
notes = { op = "replace", tag = "<NOTE>" }
[free_text_columns]
notes = "precise"
"#;
        let share = r#"extends = "builtin"
min_confidence = 0.5
unexplained = "warn"
free_text = "recall"
[entities]
LOCATION = "allow"
POSTAL_CODE = { allow = false, max_length = 3, generalized = true }
[free_text_columns]
notes = "precise"
[[allow]]
value = "+1 800 555 0100"
reason = "support line"
[[allow]]
column = "sku"
reason = "codes"
[k_anonymity]
files = ["orders*"]
quasi_identifiers = ["zip"]
k_min = 5
"#;
        type Parse = fn(&str) -> Result<(), String>;
        let kinds: [(&str, Parse); 2] = [
            (pseudonymize, |t| {
                crate::transform::Policy::parse(t).map(|_| ())
            }),
            (share, |t| SharePolicy::parse(t).map(|_| ())),
        ];
        for (text, parse) in kinds {
            parse(text).expect("the base document is valid");
            let doc: toml::Value = toml::from_str(text).unwrap();
            let mut paths = Vec::new();
            table_paths(&doc, Vec::new(), &mut paths);
            assert!(paths.len() >= 6, "{paths:?}");
            for path in paths {
                for (key, value) in [
                    ("keep_lst", toml::Value::Integer(2)),
                    ("generalised", toml::Value::Boolean(true)),
                    ("k_minimum", toml::Value::String("5".into())),
                ] {
                    let mut bad = doc.clone();
                    table_at(&mut bad, &path).insert(key.into(), value);
                    let text = toml::to_string(&bad).unwrap();
                    assert!(
                        parse(&text).is_err(),
                        "{key} in {path:?} was ignored:\n{text}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_share_policy_stands_alone_unless_it_extends_the_builtin_one() {
        let builtin = SharePolicy::builtin();
        let p = SharePolicy::parse(
            "extends = \"builtin\"\n[entities]\nEMAIL_ADDRESS = \"allow\"\n[[allow]]\nvalue = \"x\"\nreason = \"r\"\n",
        )
        .unwrap();
        assert!(p.allows("EMAIL_ADDRESS"));
        for e in crate::entity::ENTITIES.iter().map(|e| e.name) {
            if e != "EMAIL_ADDRESS" {
                assert_eq!(p.entity_default(e), builtin.entity_default(e), "{e}");
            }
        }
        assert_eq!(p.min_confidence, builtin.min_confidence);
        let alone =
            SharePolicy::parse("extends = \"none\"\n[entities]\nGENDER = \"deny\"\n").unwrap();
        assert!(
            !alone.allows("LOCATION"),
            "the file alone allows nothing else"
        );
        assert!(SharePolicy::parse("extends = \"x\"").is_err());
    }
}
