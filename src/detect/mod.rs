//! Detection: rule specs compiled once into a [`Detector`], then per-column plans that scan
//! cells and return [`Finding`]s.
//!
//! Pipeline for one cell (see `STYLE.md` 5.3):
//! 1. Per column, once: the column path is tokenised and matched against every rule's column
//!    hints ([`hints`]); that decides which context-only rules run (an `account_number`
//!    column enables the account rule) and which entities get a score boost. The active rules
//!    are compiled into one multi-pattern regex per engine (ASCII bytes, and Unicode text for
//!    rules that need `\p{..}`), shared by every column with the same active set.
//! 2. Per cell: one leftmost-first search over the multi-pattern regex; each candidate is
//!    checked by its rule's validator; a candidate that fails is retried at the same start
//!    with the lower-priority patterns (so a 16-digit number that fails Luhn can still be an
//!    account number in an account column).
//! 3. Keywords (Aho-Corasick, ASCII case-insensitive) shortly before a candidate raise its
//!    score, exclusion keywords reject it, and they enable context-only rules in free text
//!    (`acct 88812345`).
//!
//! Neighbours: `source` feeds cells; `scan` drives workers and aggregates [`ColumnStats`];
//! `report` turns stats into verdicts.

pub mod builtin;
pub mod hints;
pub mod normalize;
pub mod recall;
mod shadow;
pub mod shape;
mod spanset;
pub mod spec;
pub mod validators;
pub mod verdict;
mod wordhash;
pub mod words;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcMatchKind};
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, PatternID};
use spec::{RuleFileSpec, RuleSpec, Scope};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use validators::{Validator, Validity};

pub use spec::ExampleSpec;
pub use verdict::{ColumnStats, ColumnVerdict, EntityStats};

/// Errors found while compiling rules.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// A rule file is not valid TOML or does not fit the rule schema.
    #[error("{file}: {message}")]
    Parse {
        /// The rule file.
        file: String,
        /// What the TOML parser said.
        message: String,
    },
    /// A rule is invalid.
    #[error("rule {id}: {message}")]
    Rule {
        /// The rule id.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// A rule file could not be read.
    #[error("failed to read rule file {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Largest compiled size allowed for one rule's regex (bytes of NFA), as dd-sds limits.
const REGEX_SIZE_LIMIT: usize = 8 << 20;
/// Lazy-DFA cache per regex and worker. The combined rule regex has many states; a small
/// cache thrashes (measured: 2 MB/s with the 2 MiB default on a customer table).
const HYBRID_CACHE: usize = 8 << 20;
/// Longest value a pattern is asked to find, in bytes (an email may be 254).
const MAX_MATCH: usize = 512;
/// Bytes one search looks at: detection stays linear in the cell's size.
const SEARCH_WINDOW: usize = 2 * MAX_MATCH;
/// Distinct names whose later mentions a cell is searched for.
const MAX_LATER_NAMES: usize = 64;
/// Most keywords and exclusion keywords a rule may list together (a sanity bound: the
/// keyword automaton is shared, so a long list costs a rule nothing per cell).
const MAX_KEYWORDS: usize = 128;
/// Default keyword look-behind, bytes.
const DEFAULT_LOOK_BEHIND: usize = 48;
/// Score added by a column-name hint for the entity.
const HINT_BOOST: f32 = 0.3;
/// Score added by a keyword shortly before the candidate.
const KEYWORD_BOOST: f32 = 0.2;
/// Factor applied to findings in a look-alike column (`version`, `sku`...).
const LOOKALIKE_DAMPING: f32 = 0.3;
/// Score removed from a merely plausible candidate.
const PLAUSIBLE_PENALTY: f32 = 0.15;

/// Ids of compiled engines, unique in the process (indexes of per-worker regex caches).
static NEXT_ENGINE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A compiled, validated rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, e.g. `pii.email.1`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Entity name, e.g. `EMAIL_ADDRESS`.
    pub entity: String,
    /// Index of the entity in [`Detector::entities`].
    pub entity_idx: usize,
    /// Category (contact, financial...).
    pub category: String,
    /// What it finds and why it matters.
    pub description: String,
    /// Source patterns.
    pub patterns: Vec<String>,
    /// Whether patterns run on Unicode text.
    pub unicode: bool,
    /// Span or whole-cell.
    pub scope: Scope,
    /// Validator, if any.
    pub validator: Option<Validator>,
    /// Base score.
    pub score: f32,
    /// Only runs with a column hint or keyword.
    pub needs_context: bool,
    /// Also runs, as if hinted, in columns without a name (`column_N`).
    pub unnamed_columns: bool,
    /// Keyword look-behind in bytes.
    pub look_behind: usize,
    /// Keywords (lower-case).
    pub keywords: Vec<String>,
    /// Exclusion keywords (lower-case).
    pub exclude_keywords: Vec<String>,
    hints: Vec<hints::Hint>,
    hints_exclude: Vec<hints::Hint>,
    /// The rule's own regex, for keyword-triggered runs of context-only rules; compiled on
    /// first use (a built-in rule's patterns are proven by a unit test, a user rule's are
    /// compiled when its file is loaded, so an error names the file then).
    own: std::sync::OnceLock<Regex>,
    /// Unicode rules: the patterns as they act on ASCII text (classes cut to ASCII, word
    /// boundaries ASCII), compiled for the lazy DFA: identical matches on ASCII cells. Parsed
    /// on first use, as `own` is.
    ascii_hirs: std::sync::OnceLock<Vec<regex_syntax::hir::Hir>>,
    /// Process-unique id of `own` (index of per-worker caches).
    own_id: usize,
    /// Whether findings are damped in look-alike columns.
    pub damp_in_lookalike_columns: bool,
    /// Byte-class requirements (all of them; each an any-of mask of `CLASS_*` bits).
    requires: Vec<u8>,
    /// Positive examples.
    pub examples: Vec<ExampleSpec>,
    /// Negative examples.
    pub negative_examples: Vec<ExampleSpec>,
    /// Reference links.
    pub references: Vec<String>,
    /// Rule file it came from.
    pub source_file: String,
}

impl Rule {
    /// The rule's own regex, compiled on first use.
    fn own(&self) -> &Regex {
        self.own.get_or_init(|| {
            let pats: Vec<&str> = self.patterns.iter().map(String::as_str).collect();
            build_regex(&pats, self.unicode, REGEX_SIZE_LIMIT)
                .expect("built-in patterns compile (a unit test), user patterns at load")
        })
    }

    /// The ASCII forms of a Unicode rule's patterns, parsed on first use.
    fn ascii_hirs(&self) -> &[regex_syntax::hir::Hir] {
        self.ascii_hirs.get_or_init(|| {
            ascii_forms(&self.patterns, self.unicode)
                .expect("built-in patterns parse (a unit test), user patterns at load")
        })
    }

    /// Whether the column (as tokens) carries one of this rule's hints and none of its
    /// exclusions.
    fn hinted_by(&self, col: &[String], last: &[String]) -> bool {
        self.hints.iter().any(|h| h.matches_misspelt(col))
            && !self.hints_exclude.iter().any(|h| h.matches(last))
    }
}

/// A detected value in a cell. Carries no text, only where it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finding {
    /// Index of the rule in [`Detector::rules`].
    pub rule: u16,
    /// Index of the entity in [`Detector::entities`].
    pub entity: u16,
    /// Byte offset of the start in the cell text.
    pub start: u32,
    /// Byte offset of the end (exclusive).
    pub end: u32,
    /// Score in `0..=1`.
    pub score: f32,
}

/// Which keywords occur in a cell and where (filled per cell, reused).
#[derive(Debug, Default)]
struct KeywordHits {
    /// `(keyword index, end offset)`.
    hits: Vec<(u32, u32)>,
}

/// Byte classes for rule pre-checks (see `RuleSpec::requires`).
const CLASS_DIGIT: u8 = 1;
const CLASS_UPPER: u8 = 2;
const CLASS_ALPHA: u8 = 4;
const CLASS_AT: u8 = 8;
const CLASS_COLON: u8 = 16;
const CLASS_DASH: u8 = 32;
const CLASS_DOT: u8 = 64;
/// A byte outside ASCII (selects the Unicode engine; never a rule requirement).
const CLASS_NON_ASCII: u8 = 128;

fn class_bit(name: &str) -> Option<u8> {
    Some(match name {
        "digit" => CLASS_DIGIT,
        "upper" => CLASS_UPPER,
        "alpha" => CLASS_ALPHA,
        "@" => CLASS_AT,
        ":" => CLASS_COLON,
        "-" => CLASS_DASH,
        "." => CLASS_DOT,
        _ => return None,
    })
}

/// One pass over a cell: its byte classes, and whether a letter is followed by a space, tab,
/// `:`, `=` or `#` somewhere (a keyword can only stand before a value then).
fn cell_profile(cell: &[u8]) -> (u8, bool) {
    let mut m = 0u8;
    let mut sep = false;
    let mut prev_alpha = false;
    for &b in cell {
        let c = CLASS_OF[b as usize];
        m |= c;
        sep |= prev_alpha && matches!(b, b' ' | b'\t' | b':' | b'=' | b'#');
        prev_alpha = b.is_ascii_alphabetic();
    }
    (m, sep)
}

/// Byte class of every byte value (see [`cell_profile`]).
static CLASS_OF: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'0'..=b'9' => CLASS_DIGIT,
            b'A'..=b'Z' => CLASS_UPPER | CLASS_ALPHA,
            b'a'..=b'z' => CLASS_ALPHA,
            b'@' => CLASS_AT,
            b':' => CLASS_COLON,
            b'-' => CLASS_DASH,
            b'.' => CLASS_DOT,
            0x80..=0xFF => CLASS_UPPER | CLASS_ALPHA | CLASS_NON_ASCII,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// One regex over some rules' patterns, compiled on first use; `owners[i]` is the rule of
/// pattern `i`.
#[derive(Debug)]
struct Part {
    owners: Vec<u16>,
    re: std::sync::OnceLock<Arc<Regex>>,
}

/// The regexes for one set of rules (those a column runs whose byte-class requirements a
/// cell meets). Each part is compiled the first time a cell needs it.
#[derive(Debug)]
struct Engine {
    id: usize,
    rules: Vec<u16>,
    /// Rules written for bytes.
    ascii: Option<Part>,
    /// Rules written for Unicode text, for cells with non-ASCII characters (their lazy DFA
    /// would thrash on Unicode classes: built without it).
    unicode: Option<Part>,
    /// The same Unicode rules as they act on ASCII text, with the lazy DFA: ASCII cells.
    unicode_ascii: Option<Part>,
    /// What the Unicode rules' patterns can tell apart about a character ([`shadow`]):
    /// built on first use; `None` when they hold something it cannot account for.
    shadow: std::sync::OnceLock<Option<shadow::Shadow>>,
}

/// A column's engines, one per set of byte classes a cell can show (`cell_profile`): each
/// holds only the column's rules whose requirements those classes meet, so a city name runs
/// the name and place rules, not the fifteen numeric ones.
#[derive(Debug)]
struct PlanEngines {
    active: Vec<u16>,
    by_class: Box<[std::sync::OnceLock<Option<Arc<Engine>>>]>,
}

/// Compiled engine parts by kind and pattern owners ([`Detector`]'s `parts`).
type CompiledParts = HashMap<(usize, Vec<u16>), Arc<Regex>>;

/// Column plans a detector keeps (a wide table's, or many schemas'; about 4 KB each); past
/// it, it starts over.
pub(crate) const PLAN_CACHE: usize = 4_096;

/// How one column is scanned: its active rules, hinted entities and shared engine.
#[derive(Debug, Clone)]
pub struct ColumnPlan {
    /// Unique per plan made (clones share it): the key of memoised cells.
    id: u64,
    engines: Arc<PlanEngines>,
    /// Per entity: the column name hints it.
    hinted_entity: Vec<bool>,
    /// Context-only rules not enabled by the column: keywords may enable them in a cell.
    keyword_rules: Vec<u16>,
    /// The column name marks a look-alike column.
    lookalike: bool,
}

impl ColumnPlan {
    /// Whether the column name hints at entity `e`.
    pub fn hints(&self, e: usize) -> bool {
        self.hinted_entity.get(e).copied().unwrap_or(false)
    }

    /// Whether the column name marks a non-personal look-alike column.
    pub fn is_lookalike(&self) -> bool {
        self.lookalike
    }
}

/// Plan ids (see [`ColumnPlan`]).
static NEXT_PLAN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Longest cell whose findings are memoised.
const MEMO_CELL_BYTES: usize = 64;
/// Cells memoised per plan and worker before the memo starts over.
const MEMO_CAPACITY: usize = 8192;
/// Lookups after which a plan whose cells rarely repeat (ids, emails) stops memoising.
const MEMO_TRIAL: u64 = 2048;

/// One plan's memo: findings of the cells seen, and how often it helped.
#[derive(Debug, Default)]
struct PlanMemo {
    cells: foldhash::HashMap<Box<[u8]>, (Vec<Finding>, bool)>,
    lookups: u64,
    hits: u64,
    off: bool,
}

/// A worker's caches for one engine's three regexes.
type EngineCaches = [Option<meta::Cache>; 3];

/// Per-worker scratch: regex caches and buffers, so the hot path allocates nothing.
#[derive(Debug, Default)]
pub struct Scratch {
    caches: Vec<Option<EngineCaches>>,
    own_caches: HashMap<usize, meta::Cache>,
    kw: KeywordHits,
    /// Findings of the last [`Detector::scan_cell`] call.
    pub findings: Vec<Finding>,
    /// Whether the last cell was valid UTF-8.
    pub utf8_ok: bool,
    /// Findings of repeated cells, per plan id (see [`Detector::scan_cell_memo`]).
    memo: foldhash::HashMap<u64, PlanMemo>,
    /// A cell's shadow text ([`shadow`]).
    shadow: shadow::ShadowText,
    /// Stand-ins per engine id and character ([`shadow`]).
    stand_ins: HashMap<usize, HashMap<char, Option<(u8, bool)>>>,
}

/// The compiled rule set. Cheap to share (`&Detector` across threads).
#[derive(Debug)]
pub struct Detector {
    /// Rules in priority order (the order of their patterns in the multi-regex).
    pub rules: Vec<Rule>,
    /// Entity names, sorted.
    pub entities: Vec<String>,
    lookalike_tokens: Vec<String>,
    keywords: AhoCorasick,
    /// Per keyword pattern: `(rule, is_exclude)` pairs.
    keyword_owners: Vec<Vec<(u16, bool)>>,
    engines: Mutex<HashMap<Vec<u16>, Arc<Engine>>>,
    /// Plans made, by score floor and column name: a run over many files of one schema plans
    /// each column once, and its memo of repeated cells carries from file to file.
    plans: Mutex<HashMap<(u32, String), ColumnPlan>>,
    /// Compiled parts of engines, by kind (0 bytes, 1 Unicode, 2 Unicode as ASCII) and
    /// pattern owners: engines of different rule sets share them.
    parts: Mutex<CompiledParts>,
    /// Entities found in column, key and path names ([`crate::scan::name_entities`]), by
    /// name: each file of a schema names the same columns.
    pub(crate) name_memo: Mutex<HashMap<(u32, String), Vec<String>>>,
    /// Per entity index: evident on its own inside a column of another entity (registry).
    self_evident: Vec<bool>,
    /// Minimum score for a finding to be reported.
    pub min_score: f32,
    /// Index of the PERSON entity, for later mentions of a name.
    person: Option<u16>,
    /// Whether the Unicode rules read non-ASCII cells through their shadow ([`shadow`]);
    /// off only in tests that compare both readings.
    shadow_text: bool,
}

thread_local! {
    /// Bytes the detector has looked at on this thread: each regex search's window, each
    /// validator's context, each keyword hit weighed, each later-mention scan. A count, not
    /// a clock: tests hold it linear in a cell's size (issue 23, class 9).
    static WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn work(n: usize) {
    WORK.with(|w| w.set(w.get().wrapping_add(n as u64)));
}

/// The detector's work counter on this thread (see `WORK`): read it before and after a scan.
pub fn work_done() -> u64 {
    WORK.with(std::cell::Cell::get)
}

/// Bytes of context a validator sees on each side of its candidate: enough for every check
/// (a URL's scheme before an address, a word before a number), and a bound that keeps every
/// validator linear in the cell's size.
const VALIDATOR_CONTEXT: usize = 512;

/// Priority of entities when patterns overlap at the same start (the entity registry's):
/// specific, checksummed entities first, context-only digit strings last.
fn priority(entity: &str) -> u8 {
    crate::entity::lookup(entity).map_or(50, |e| e.priority)
}

/// Compiles patterns into one multi-pattern regex. Unicode patterns get no lazy DFA: their
/// classes (`\p{Lu}`, `\p{L}`) with bounded repetitions blow up its states, and measured on
/// Faker names and street addresses it spent 95% of its time building states (290 µs a
/// cell). Their ASCII forms ([`asciify`]) keep the DFA.
fn build_regex(patterns: &[&str], unicode: bool, nfa_limit: usize) -> Result<Regex, String> {
    Regex::builder()
        .syntax(syntax::Config::new().unicode(unicode).utf8(unicode))
        .configure(regex_config(unicode, nfa_limit).hybrid(!unicode))
        .build_many(patterns)
        .map_err(|e| match std::error::Error::source(&e) {
            Some(src) => format!("{e}: {src}"),
            None => e.to_string(),
        })
}

fn regex_config(unicode: bool, nfa_limit: usize) -> meta::Config {
    Regex::config()
        .utf8_empty(unicode)
        .nfa_size_limit(Some(nfa_limit))
        .hybrid_cache_capacity(HYBRID_CACHE)
}

/// A pattern as it acts on ASCII text: classes cut to ASCII, literals with other characters
/// never match, Unicode word boundaries become ASCII ones (on ASCII text they are the
/// same). On an ASCII haystack it matches exactly where the Unicode pattern matches.
fn asciify(h: &regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{
        Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
        Look, Repetition,
    };
    match h.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) if l.0.is_ascii() => h.clone(),
        HirKind::Literal(_) => Hir::fail(),
        HirKind::Class(Class::Unicode(c)) => {
            let mut c = c.clone();
            c.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7F')]));
            Hir::class(Class::Unicode(c))
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut c = c.clone();
            c.intersect(&ClassBytes::new([ClassBytesRange::new(0, 0x7F)]));
            Hir::class(Class::Bytes(c))
        }
        HirKind::Look(l) => Hir::look(match l {
            Look::WordUnicode => Look::WordAscii,
            Look::WordUnicodeNegate => Look::WordAsciiNegate,
            Look::WordStartUnicode => Look::WordStartAscii,
            Look::WordEndUnicode => Look::WordEndAscii,
            Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
            Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
            other => *other,
        }),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(asciify(&r.sub)),
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            index: c.index,
            name: c.name.clone(),
            sub: Box::new(asciify(&c.sub)),
        }),
        HirKind::Concat(v) => Hir::concat(v.iter().map(asciify).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(asciify).collect()),
    }
}

impl Detector {
    /// Compiles the built-in rules.
    pub fn builtin() -> Result<Detector, CompileError> {
        Detector::compile(builtin_specs()?, Vec::new())
    }

    /// Compiles the built-in rules plus every `*.toml` file under `dir` (recursively).
    pub fn with_user_rules(dir: &Path) -> Result<Detector, CompileError> {
        Detector::compile(builtin_specs()?, load_dir(dir)?)
    }

    /// Compiles rule files given as `(name, spec)`; every pattern is compiled now, so an error
    /// names its rule.
    pub fn from_files(files: Vec<(String, RuleFileSpec)>) -> Result<Detector, CompileError> {
        Detector::compile(Vec::new(), files)
    }

    /// Compiles the built-in rule files `builtin` (patterns compiled on first use) and the
    /// rule files `user` (patterns compiled now).
    fn compile(
        builtin: Vec<(String, RuleFileSpec)>,
        user: Vec<(String, RuleFileSpec)>,
    ) -> Result<Detector, CompileError> {
        let mut specs: Vec<(String, RuleSpec, bool)> = Vec::new();
        let mut lookalike_tokens = Vec::new();
        let files = builtin
            .into_iter()
            .map(|f| (f, false))
            .chain(user.into_iter().map(|f| (f, true)));
        for ((file, spec), eager) in files {
            lookalike_tokens.extend(
                spec.lookalike_column_tokens
                    .iter()
                    .map(|t| t.to_lowercase()),
            );
            specs.extend(spec.rule.into_iter().map(|r| (file.clone(), r, eager)));
        }
        // Stable priority order: whole-cell rules first (they only match a structured cell,
        // and then the structured reading wins), then entity priority, then file order.
        specs.sort_by_key(|(_, r, _)| (r.scope != Scope::Cell, priority(&r.entity)));
        let mut entities: Vec<String> = specs.iter().map(|(_, r, _)| r.entity.clone()).collect();
        entities.sort();
        entities.dedup();
        let mut seen = std::collections::HashSet::new();
        let mut rules = Vec::with_capacity(specs.len());
        for (file, s, eager) in specs {
            if !seen.insert(s.id.clone()) {
                return Err(rule_err(&s.id, "duplicate rule id"));
            }
            rules.push(compile_rule(file, s, &entities, eager)?);
        }
        if rules.len() > u16::MAX as usize {
            return Err(rule_err("*", "too many rules"));
        }
        let mut kw_list: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<(u16, bool)>> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (ri, r) in rules.iter().enumerate() {
            let all = r
                .keywords
                .iter()
                .map(|k| (k, false))
                .chain(r.exclude_keywords.iter().map(|k| (k, true)));
            for (k, excl) in all {
                let i = *index.entry(k.clone()).or_insert_with(|| {
                    kw_list.push(k.clone());
                    owners.push(Vec::new());
                    kw_list.len() - 1
                });
                owners[i].push((ri as u16, excl));
            }
        }
        // A DFA: every cell with a word and a separator runs an overlapping search, and the
        // DFA is the fastest kind for it (the automaton stays small: a few hundred keywords).
        let keywords = AhoCorasickBuilder::new()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .match_kind(AcMatchKind::Standard)
            .build(&kw_list)
            .map_err(|e| rule_err("*", &format!("keyword automaton: {e}")))?;
        let self_evident = entities
            .iter()
            .map(|e| crate::entity::lookup(e).is_some_and(|i| i.self_evident))
            .collect();
        let person = entities
            .iter()
            .position(|e| e == "PERSON")
            .map(|i| i as u16);
        Ok(Detector {
            person,
            rules,
            self_evident,
            entities,
            lookalike_tokens,
            keywords,
            keyword_owners: owners,
            engines: Mutex::new(HashMap::new()),
            plans: Mutex::new(HashMap::new()),
            parts: Mutex::new(HashMap::new()),
            name_memo: Mutex::new(HashMap::new()),
            min_score: 0.5,
            shadow_text: true,
        })
    }

    /// Whether entity `e` (an index) stands out on its own inside a column whose verdict is
    /// another entity (see [`crate::entity::EntityInfo::self_evident`]).
    pub fn self_evident(&self, e: u16) -> bool {
        self.self_evident.get(e as usize).copied().unwrap_or(false)
    }

    /// Adds the names that stand in a list or a table column beside persons the rules found
    /// in the same text ([`validators::names::list_siblings`]): `Dawn, Wes, Hyacinth Brown,
    /// Ifeoma and the Scouts`.
    fn list_siblings(&self, text: &str, out: &mut Vec<Finding>) {
        let Some(person) = self.person else {
            return;
        };
        let from: Vec<usize> = (0..out.len())
            .filter(|&i| {
                out[i].entity == person && self.rules[out[i].rule as usize].scope != Scope::Cell
            })
            .collect();
        if from.is_empty() || text.is_empty() {
            return;
        }
        let found: Vec<(usize, usize)> = from
            .iter()
            .map(|&i| (out[i].start as usize, out[i].end as usize))
            .collect();
        work(text.len());
        // The new names come sorted and are kept only where they overlap nothing, one
        // another included.
        let taken = spanset::SpanSet::new(out.iter().map(|f| (f.start as usize, f.end as usize)));
        let mut last_end = 0;
        let added: Vec<Finding> = validators::names::list_siblings(text, &found)
            .into_iter()
            .filter(|&(a, b, _)| {
                let free = a >= last_end && !taken.overlaps(a, b);
                if free {
                    last_end = b;
                }
                free
            })
            .map(|(a, b, src)| {
                let f = &out[from[src]];
                Finding {
                    rule: f.rule,
                    entity: person,
                    start: a as u32,
                    end: b as u32,
                    score: f.score,
                }
            })
            .collect();
        if !added.is_empty() {
            out.extend(added);
            out.sort_by_key(|f| f.start);
        }
    }

    /// Adds the later mentions of a person found in full in the same text: "Customer Kenji
    /// Watanabe asked... Watanabe-san also wants", "Lucía Fernández. Fernández will call".
    /// Each capitalised word of a name of two words or more that appears again on its own,
    /// as a whole word with the same letters and case, is that person too.
    fn later_mentions(&self, text: &str, out: &mut Vec<Finding>) {
        let Some(person) = self.person else {
            return;
        };
        // Nothing else to look at: the name is the cell (a name column).
        let longest = out
            .iter()
            .filter(|f| f.entity == person)
            .map(|f| (f.end - f.start) as usize)
            .max()
            .unwrap_or(0);
        if longest == 0 || text.trim().len() <= longest + 2 {
            return;
        }
        let names = validators::Names::get();
        let mut tokens: Vec<(&str, u16, f32)> = Vec::new();
        for f in out.iter().filter(|f| f.entity == person) {
            let rule = &self.rules[f.rule as usize];
            if rule.scope == Scope::Cell {
                continue;
            }
            let span = &text[f.start as usize..f.end as usize];
            let words: Vec<&str> = span.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
            if words.len() < 2 {
                continue;
            }
            for w in words {
                let w = w.trim_end_matches(['.', ',']);
                let mut cs = w.chars();
                let upper = cs.next().is_some_and(char::is_uppercase);
                if upper
                    && tokens.len() < MAX_LATER_NAMES
                    && w.chars().count() >= 2
                    && cs.any(char::is_lowercase)
                    && !names.is_not_name(w)
                    && !tokens.iter().any(|t| t.0 == w)
                {
                    tokens.push((w, f.rule, f.score));
                }
            }
        }
        if tokens.is_empty() {
            return;
        }
        let bytes = text.as_bytes();
        let word_byte = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
        let mut added = Vec::new();
        // Spans already taken, by start (non-overlapping), for a logarithmic overlap test.
        let mut taken: std::collections::BTreeMap<usize, usize> = out
            .iter()
            .map(|f| (f.start as usize, f.end as usize))
            .collect();
        // A bounded number of distinct names is looked for again: each look is a pass over
        // the cell.
        for (tok, rule, score) in tokens {
            work(text.len());
            for (at, _) in text.match_indices(tok) {
                let end = at + tok.len();
                if (at > 0 && word_byte(bytes[at - 1]))
                    || (end < bytes.len() && word_byte(bytes[end]))
                {
                    continue;
                }
                if taken.range(..end).next_back().is_some_and(|(_, &e)| e > at) {
                    continue;
                }
                taken.insert(at, end);
                added.push(Finding {
                    rule,
                    entity: person,
                    start: at as u32,
                    end: end as u32,
                    score,
                });
            }
        }
        if !added.is_empty() {
            out.extend(added);
            out.sort_by_key(|f| f.start);
        }
    }

    /// Index of an entity by name.
    pub fn entity_index(&self, name: &str) -> Option<usize> {
        self.entities.iter().position(|e| e == name)
    }

    /// Builds the scan plan for a column path (empty for "no column name").
    pub fn plan(&self, column: &str) -> ColumnPlan {
        // Keyed by the score floor too: the memo of a plan's repeated cells holds findings
        // that passed the floor in force when they were judged.
        let key = (self.min_score.to_bits(), column.to_string());
        let plans = || {
            self.plans
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(p) = plans().get(&key) {
            return p.clone();
        }
        let plan = self.make_plan(column);
        let mut plans = plans();
        if plans.len() >= PLAN_CACHE {
            plans.clear();
        }
        plans.entry(key).or_insert(plan).clone()
    }

    /// [`Detector::plan`], made: a plan depends on the column's name and the rules only.
    fn make_plan(&self, column: &str) -> ColumnPlan {
        // Hints match the whole path (`address.city` is about an address), qualifiers only
        // the last segment (`user.name` is a person's name, `user_name` a login).
        let tokens = hints::tokenize(column);
        let last = hints::tokenize(column.rsplit('.').next().unwrap_or(column));
        let mut hinted_entity = vec![false; self.entities.len()];
        let mut active: Vec<u16> = Vec::new();
        let mut keyword_rules = Vec::new();
        // A column with no name of its own (a headerless file's, an empty header field's).
        let unnamed = column
            .strip_prefix("column_")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        for (i, r) in self.rules.iter().enumerate() {
            let hinted = r.hinted_by(&tokens, &last) || (unnamed && r.unnamed_columns);
            if hinted {
                hinted_entity[r.entity_idx] = true;
            }
            if !r.needs_context || hinted {
                active.push(i as u16);
            } else if !r.keywords.is_empty() {
                keyword_rules.push(i as u16);
            }
        }
        let lookalike = last.iter().any(|t| self.lookalike_tokens.contains(t));
        ColumnPlan {
            id: NEXT_PLAN.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            engines: Arc::new(PlanEngines {
                active,
                by_class: (0..256).map(|_| std::sync::OnceLock::new()).collect(),
            }),
            hinted_entity,
            keyword_rules,
            lookalike,
        }
    }

    /// The engine of `plan` for cells with byte classes `classes` (`None`: no rule can
    /// match such a cell).
    fn engine_of<'p>(&self, plan: &'p ColumnPlan, classes: u8) -> Option<&'p Arc<Engine>> {
        plan.engines.by_class[classes as usize]
            .get_or_init(|| {
                let rules: Vec<u16> = plan
                    .engines
                    .active
                    .iter()
                    .copied()
                    .filter(|&ri| {
                        self.rules[ri as usize]
                            .requires
                            .iter()
                            .all(|&mask| mask & classes != 0)
                    })
                    .collect();
                (!rules.is_empty()).then(|| self.engine_for(rules))
            })
            .as_ref()
    }

    /// The engine for a set of rules, shared by every plan that needs the same set.
    fn engine_for(&self, rules: Vec<u16>) -> Arc<Engine> {
        let mut engines = self.engines.lock().expect("engine cache lock poisoned");
        if let Some(e) = engines.get(&rules) {
            return Arc::clone(e);
        }
        let part = |uni: bool| -> Option<Part> {
            let owners: Vec<u16> = rules
                .iter()
                .filter(|&&ri| self.rules[ri as usize].unicode == uni)
                .flat_map(|&ri| std::iter::repeat_n(ri, self.rules[ri as usize].patterns.len()))
                .collect();
            (!owners.is_empty()).then(|| Part {
                owners,
                re: std::sync::OnceLock::new(),
            })
        };
        let engine = Arc::new(Engine {
            // Globally unique, so a worker's scratch can serve several detectors.
            id: NEXT_ENGINE.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            ascii: part(false),
            unicode: part(true),
            unicode_ascii: part(true),
            shadow: std::sync::OnceLock::new(),
            rules: rules.clone(),
        });
        engines.insert(rules, Arc::clone(&engine));
        engine
    }

    /// Part `which` (0 bytes, 1 Unicode, 2 Unicode as ASCII) of `engine`, compiled.
    fn compiled<'e>(&self, engine: &'e Engine, which: usize) -> Option<(&'e Regex, &'e [u16])> {
        let part = [&engine.ascii, &engine.unicode, &engine.unicode_ascii][which].as_ref()?;
        let re = part.re.get_or_init(|| {
            // Engines of different rule sets often share a part (the same Unicode rules
            // under several byte-class sets): compile each part once.
            let key = (which, part.owners.clone());
            let parts = || {
                self.parts
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            };
            if let Some(re) = parts().get(&key) {
                return Arc::clone(re);
            }
            let rules = engine
                .rules
                .iter()
                .map(|&ri| &self.rules[ri as usize])
                .filter(|r| r.unicode == (which != 0));
            // Every rule compiled alone under REGEX_SIZE_LIMIT at rule compile time, so their
            // union fits under the sum of the limits (a column name hinting at every entity,
            // e.g. a whole header read as one column, activates them all at once).
            let limit = REGEX_SIZE_LIMIT.saturating_mul(part.owners.len());
            let re = if which == 2 {
                let hirs: Vec<&regex_syntax::hir::Hir> =
                    rules.flat_map(|r| r.ascii_hirs()).collect();
                Regex::builder()
                    .configure(regex_config(false, limit))
                    .build_many_from_hir(&hirs)
                    .expect("the ASCII forms of valid patterns compile")
            } else {
                let pats: Vec<&str> = rules
                    .flat_map(|r| r.patterns.iter().map(String::as_str))
                    .collect();
                build_regex(&pats, which == 1, limit)
                    .expect("patterns were validated at compile time")
            };
            Arc::clone(parts().entry(key).or_insert_with(|| Arc::new(re)))
        });
        Some((re, &part.owners))
    }

    /// [`Detector::scan_cell`] with the findings of repeated cells remembered per column
    /// plan and worker: findings depend on the plan and the cell's bytes only, and columns of
    /// names, cities, products, statuses repeat their values. A plan whose cells rarely repeat
    /// stops memoising after a trial; the memo of a plan starts over when full.
    pub fn scan_cell_memo(&self, plan: &ColumnPlan, cell: &[u8], scratch: &mut Scratch) {
        if cell.len() > MEMO_CELL_BYTES || cell.is_empty() {
            return self.scan_cell(plan, cell, scratch);
        }
        if scratch.memo.len() > 1024 && !scratch.memo.contains_key(&plan.id) {
            scratch.memo.clear();
        }
        let memo = scratch.memo.entry(plan.id).or_default();
        if memo.off {
            return self.scan_cell(plan, cell, scratch);
        }
        memo.lookups += 1;
        if let Some((f, utf8)) = memo.cells.get(cell) {
            memo.hits += 1;
            scratch.findings.clear();
            scratch.findings.extend_from_slice(f);
            scratch.utf8_ok = *utf8;
            return;
        }
        if memo.lookups == MEMO_TRIAL && memo.hits * 4 < memo.lookups {
            memo.off = true;
            memo.cells = foldhash::HashMap::default();
            return self.scan_cell(plan, cell, scratch);
        }
        self.scan_cell(plan, cell, scratch);
        let memo = scratch.memo.entry(plan.id).or_default();
        if memo.cells.len() >= MEMO_CAPACITY {
            memo.cells.clear();
        }
        memo.cells
            .insert(cell.into(), (scratch.findings.clone(), scratch.utf8_ok));
    }

    /// Scans one cell under a column plan; results land in `scratch.findings`, sorted by
    /// start, overlaps resolved (the higher score, then the longer span, wins). The rules
    /// judge the cell's normalized view ([`normalize::view`]: folded separators, digits and
    /// lookalikes, integers written as floats); spans are the original bytes they came from.
    pub fn scan_cell(&self, plan: &ColumnPlan, cell: &[u8], scratch: &mut Scratch) {
        let Some(view) = normalize::view(cell) else {
            return self.scan_raw(plan, cell, scratch);
        };
        self.scan_raw(plan, view.text.as_bytes(), scratch);
        let mut last = 0;
        scratch.findings.retain_mut(|f| {
            let (s, e) = view.original(f.start as usize, f.end as usize);
            // Two findings that meet inside one original character (one NFKC expands): the
            // later one starts where the earlier ends, and is dropped only when nothing of it
            // is left.
            let s = s.max(last);
            if e <= s {
                return false;
            }
            (f.start, f.end) = (s, e);
            last = e;
            true
        });
        scratch.utf8_ok = true;
    }

    /// [`Detector::scan_cell`] on the cell's bytes as they are.
    fn scan_raw(&self, plan: &ColumnPlan, cell: &[u8], scratch: &mut Scratch) {
        scratch.findings.clear();
        scratch.utf8_ok = true;
        if cell.is_empty() {
            return;
        }
        // Keywords boost, reject and enable. A keyword can only stand before a value when a
        // separator follows a word (`call +44...`, `acct:123`, `DOB=1980-01-02`): cells without
        // one (most structured cells: emails, ids, timestamps) skip the keyword search.
        let (classes, separator) = cell_profile(cell);
        scratch.kw.hits.clear();
        if classes & CLASS_ALPHA != 0 && separator {
            for m in self.keywords.find_overlapping_iter(cell) {
                // Whole words only: "tel" must not fire inside "hotel".
                let before_ok = m.start() == 0 || !cell[m.start() - 1].is_ascii_alphanumeric();
                let after_ok = m.end() == cell.len() || !cell[m.end()].is_ascii_alphanumeric();
                if before_ok && after_ok {
                    scratch.kw.hits.push((m.pattern().as_u32(), m.end() as u32));
                }
            }
        }
        let text = std::str::from_utf8(cell).ok();
        scratch.utf8_ok = text.is_some();
        let mut out = std::mem::take(&mut scratch.findings);
        // Only the column's rules whose byte-class requirements this cell meets run (a first
        // name has no digit for the numeric rules; an email no capital for names).
        if let Some(engine) = self.engine_of(plan, classes) {
            let eid = engine.id;
            if scratch.caches.len() <= eid {
                scratch.caches.resize_with(eid + 1, || None);
            }
            // Bytes rules; then the Unicode rules, as ASCII forms (lazy DFA) on ASCII cells,
            // with the Unicode engine on the others.
            let uni = if classes & CLASS_NON_ASCII == 0 { 2 } else { 1 };
            for which in [0, uni] {
                if which != 0 && text.is_none() {
                    continue;
                }
                // A cell with non-ASCII characters: its shadow, when it has one, goes to the
                // ASCII forms (lazy DFA) instead of the Unicode engine ([`shadow`]); a
                // candidate the shadow may read differently is checked with the Unicode
                // engine, and a difference sends the whole cell to it.
                if which == 1
                    && self.shadow_text
                    && cell.len() <= SEARCH_WINDOW
                    && engine.unicode.is_some()
                    && let Some(t) = text
                {
                    let mut shadow = std::mem::take(&mut scratch.shadow);
                    let done = self.shadow_of(engine, t, scratch, &mut shadow) && {
                        let (re2, owners) = self.compiled(engine, 2).expect("same rules");
                        let (re1, _) = self.compiled(engine, 1).expect("Unicode rules");
                        let caches = scratch.caches[eid].get_or_insert_with(Default::default);
                        let [_, c1, c2] = caches;
                        let c1 = c1.get_or_insert_with(|| re1.create_cache());
                        let c2 = c2.get_or_insert_with(|| re2.create_cache());
                        let before = out.len();
                        let ok = self.run_engine(
                            plan,
                            re2,
                            owners,
                            c2,
                            cell,
                            text,
                            Some((&shadow, re1, c1)),
                            &scratch.kw,
                            &mut out,
                        );
                        if !ok {
                            out.truncate(before);
                        }
                        ok
                    };
                    scratch.shadow = shadow;
                    if done {
                        continue;
                    }
                }
                let Some((re, owners)) = self.compiled(engine, which) else {
                    continue;
                };
                let caches = scratch.caches[eid].get_or_insert_with(Default::default);
                let cache = caches[which].get_or_insert_with(|| re.create_cache());
                self.run_engine(
                    plan,
                    re,
                    owners,
                    cache,
                    cell,
                    text,
                    None,
                    &scratch.kw,
                    &mut out,
                );
            }
        }
        // Context-only rules enabled by a keyword in this cell.
        if !scratch.kw.hits.is_empty() && !plan.keyword_rules.is_empty() {
            for &ri in &plan.keyword_rules {
                let enabled = scratch.kw.hits.iter().any(|&(k, _)| {
                    self.keyword_owners[k as usize]
                        .iter()
                        .any(|&(r, excl)| r == ri && !excl)
                });
                if !enabled {
                    continue;
                }
                let rule = &self.rules[ri as usize];
                if rule.unicode && text.is_none() {
                    continue;
                }
                let cache = scratch
                    .own_caches
                    .entry(rule.own_id)
                    .or_insert_with(|| rule.own().create_cache());
                let mut input = Input::new(cell);
                let mut pos = 0;
                while pos < cell.len() {
                    // Windowed, as in `run_engine`: linear in the cell's size.
                    let end = (pos + SEARCH_WINDOW).min(cell.len());
                    input.set_span(pos..end);
                    let Some(m) = rule.own().search_with(cache, &input) else {
                        if end == cell.len() {
                            break;
                        }
                        pos = (end - MAX_MATCH).max(pos + 1);
                        continue;
                    };
                    // Only candidates shortly after one of the rule's keywords count.
                    if self.keyword_before(ri, &scratch.kw, cell, m.start(), false)
                        && let Some(f) =
                            self.judge(plan, ri, cell, text, m.start(), m.end(), &scratch.kw, true)
                    {
                        out.push(f);
                    }
                    pos = if m.end() > m.start() {
                        m.end()
                    } else {
                        m.end() + 1
                    };
                }
            }
        }
        resolve_overlaps(&mut out);
        if let Some(t) = text {
            self.list_siblings(t, &mut out);
            self.later_mentions(t, &mut out);
        }
        scratch.findings = out;
    }

    /// Writes the shadow of `text` ([`shadow`]) for `engine`'s Unicode rules into `out`;
    /// `false` when it has none (a character no ASCII one stands in for).
    fn shadow_of(
        &self,
        engine: &Engine,
        text: &str,
        scratch: &mut Scratch,
        out: &mut shadow::ShadowText,
    ) -> bool {
        let shadow = engine.shadow.get_or_init(|| {
            let hirs: Option<Vec<regex_syntax::hir::Hir>> = engine
                .rules
                .iter()
                .map(|&ri| &self.rules[ri as usize])
                .filter(|r| r.unicode)
                .flat_map(|r| r.patterns.iter())
                .map(|p| parse_unicode(p).ok())
                .collect();
            hirs.and_then(|h| shadow::Shadow::new(&h))
        });
        let Some(shadow) = shadow else {
            return false;
        };
        if scratch.stand_ins.len() > 256 {
            scratch.stand_ins.clear();
        }
        let cache = scratch.stand_ins.entry(engine.id).or_default();
        shadow.write(text, cache, out)
    }

    /// Runs one engine part over `cell`, judging candidates into `out`. With `shadow`, the
    /// part (the ASCII forms) searches the cell's shadow text instead, and a candidate that
    /// needs it is checked with the Unicode part and its cache (see [`shadow`]); `false`
    /// when a check failed (the caller then reads the cell with the Unicode part).
    #[allow(clippy::too_many_arguments)]
    fn run_engine(
        &self,
        plan: &ColumnPlan,
        re: &Regex,
        owners: &[u16],
        cache: &mut meta::Cache,
        cell: &[u8],
        text: Option<&str>,
        mut shadow: Option<(&shadow::ShadowText, &Regex, &mut meta::Cache)>,
        kw: &KeywordHits,
        out: &mut Vec<Finding>,
    ) -> bool {
        // `hay` is what the regex searches; `at` maps its offsets to the cell's, and `back`
        // the cell's (a character's start) to its.
        let (hay, map) = match &shadow {
            Some((s, _, _)) => (s.bytes.as_slice(), Some(s.at.as_slice())),
            None => (cell, None),
        };
        // Whether the cell's own match (Unicode part, anchored at `start` as `anchored`
        // says) is the shadow's `start..end` of pattern `pid`.
        let mut agrees = |anchored: Anchored, start: usize, end: usize, pid: usize| -> bool {
            let Some((s, re1, c1)) = shadow.as_mut() else {
                return true;
            };
            if !s.needs_check(start, end) {
                return true;
            }
            let (cs, ce) = (s.at[start] as usize, s.at[end] as usize);
            let input = Input::new(cell).span(cs..cell.len()).anchored(anchored);
            work(cell.len() - cs);
            re1.search_with(c1, &input)
                .is_some_and(|m| (m.start(), m.end(), m.pattern().as_usize()) == (cs, ce, pid))
        };
        let at = |p: usize| map.map_or(p, |m| m[p] as usize);
        let back = |o: usize| map.map_or(o, |m| m.partition_point(|&x| (x as usize) < o));
        // A shadow has one byte per character: every offset is a character's start.
        let text_bounds = if map.is_some() { None } else { text };
        let mut input = Input::new(hay);
        let mut pos = 0;
        // No pattern matches the empty string, so the search ends at the last byte.
        while pos < hay.len() {
            // Each search looks at most SEARCH_WINDOW bytes ahead: a pattern that could go
            // on matching (digits and dots, words) would otherwise make every search after a
            // rejected candidate scan to the end of the cell, quadratic in the cell's size.
            // A value is at most MAX_MATCH bytes, so a window with no match lets the next
            // one start MAX_MATCH before its end.
            let end = (pos + SEARCH_WINDOW).min(hay.len());
            input.set_span(pos..end);
            input.set_anchored(Anchored::No);
            work(end - pos);
            let Some(m) = re.search_with(cache, &input) else {
                if end == hay.len() {
                    break;
                }
                pos = (end - MAX_MATCH).max(pos + 1);
                while pos < hay.len() && text_bounds.is_some() && !is_char_boundary(hay, pos) {
                    pos += 1;
                }
                continue;
            };
            let mut accepted = None;
            let pid = m.pattern().as_usize();
            if !agrees(Anchored::Yes, m.start(), m.end(), pid) {
                return false;
            }
            if let Some(f) = self.judge(
                plan,
                owners[pid],
                cell,
                text,
                at(m.start()),
                at(m.end()),
                kw,
                false,
            ) {
                accepted = Some((f, m.end()));
            } else {
                // Retry the lower-priority patterns anchored at the same start.
                for (alt, &owner) in owners.iter().enumerate().skip(pid + 1) {
                    let mut a = input.clone();
                    a.set_start(m.start());
                    a.set_anchored(Anchored::Pattern(PatternID::new_unchecked(alt)));
                    work(end - m.start());
                    let m2 = re.search_with(cache, &a);
                    if let Some(m2) = m2
                        && !agrees(
                            Anchored::Pattern(PatternID::new_unchecked(alt)),
                            m2.start(),
                            m2.end(),
                            alt,
                        )
                    {
                        return false;
                    }
                    if let Some(m2) = m2
                        && let Some(f) = self.judge(
                            plan,
                            owner,
                            cell,
                            text,
                            at(m2.start()),
                            at(m2.end()),
                            kw,
                            false,
                        )
                    {
                        accepted = Some((f, m2.end()));
                        break;
                    }
                }
            }
            match accepted {
                Some((f, _)) => {
                    // Resume after the accepted span (which a validator may have narrowed, so
                    // that "Jane Doe John Smith" yields both names).
                    pos = back(f.end as usize).max(m.start() + 1);
                    out.push(f);
                }
                None => pos = m.start() + 1,
            }
            // Keep the search on a char boundary for Unicode engines.
            while pos < hay.len() && text_bounds.is_some() && !is_char_boundary(hay, pos) {
                pos += 1;
            }
        }
        true
    }

    /// Validates and scores one candidate; `None` when rejected or below the threshold.
    #[allow(clippy::too_many_arguments)]
    fn judge(
        &self,
        plan: &ColumnPlan,
        ri: u16,
        hay: &[u8],
        text: Option<&str>,
        start: usize,
        end: usize,
        kw: &KeywordHits,
        keyword_enabled: bool,
    ) -> Option<Finding> {
        let rule = &self.rules[ri as usize];
        let (mut s, mut e) = (start, end);
        // A candidate glued to more digits (`123-45-6789-001`, a window of a longer number)
        // is part of something else; a network's prefix length (`10.0.0.0/8`) is not.
        if !rule.unicode && glued_to_digits(hay, s, e) && !cidr_prefix(&rule.entity, hay, e) {
            return None;
        }
        // shroud's own tokens are never an entity (`card_3f9a…`, `u…@pseudo.invalid`).
        if crate::transform::token::inside_token(hay, s, e) {
            return None;
        }
        if rule.scope == Scope::Cell {
            // Whole-cell rules apply to structured cells only: never inside free text.
            let trimmed = trim_span(hay);
            if (s, e) != trimmed && !(s <= trimmed.0 && e >= trimmed.1) {
                return None;
            }
        }
        let mut score = rule.score;
        if let Some(v) = rule.validator {
            // A validator sees its candidate with VALIDATOR_CONTEXT bytes on each side, never
            // the whole cell: linear whatever the cell's size.
            let mut ws = s.saturating_sub(VALIDATOR_CONTEXT);
            let mut we = (e + VALIDATOR_CONTEXT).min(hay.len());
            // Validators need text; in a cell that is not UTF-8, every non-ASCII byte reads as
            // `?` so that offsets stay the same (the candidates themselves are ASCII).
            let owned;
            let t = match text {
                Some(t) => {
                    while ws > 0 && !t.is_char_boundary(ws) {
                        ws -= 1;
                    }
                    while we < t.len() && !t.is_char_boundary(we) {
                        we += 1;
                    }
                    &t[ws..we]
                }
                None => {
                    owned = hay[ws..we]
                        .iter()
                        .map(|&b| if b.is_ascii() { b as char } else { '?' })
                        .collect::<String>();
                    &owned
                }
            };
            work(we - ws);
            let (cs, ce) = (s - ws, e - ws);
            if !t.is_char_boundary(cs) || !t.is_char_boundary(ce) {
                return None;
            }
            let c = v.check(t, cs, ce);
            match c.validity {
                Validity::Invalid => return None,
                Validity::Plausible => {
                    if !(plan.hints(rule.entity_idx)
                        || keyword_enabled
                        || self.keyword_before(ri, kw, hay, s, false))
                    {
                        return None;
                    }
                    score -= PLAUSIBLE_PENALTY;
                }
                Validity::Likely => score -= PLAUSIBLE_PENALTY,
                Validity::Valid => {}
            }
            if let Some((a, b)) = c.span {
                e = s + b;
                s += a;
            }
        }
        if self.keyword_before(ri, kw, hay, s, true) {
            return None;
        }
        if plan.hints(rule.entity_idx) {
            score += HINT_BOOST;
        } else if keyword_enabled || self.keyword_before(ri, kw, hay, s, false) {
            score += KEYWORD_BOOST;
        } else if plan.lookalike && rule.damp_in_lookalike_columns {
            score *= LOOKALIKE_DAMPING;
        }
        let score = score.min(1.0);
        (score >= self.min_score).then_some(Finding {
            rule: ri,
            entity: rule.entity_idx as u16,
            start: s as u32,
            end: e as u32,
            score,
        })
    }

    /// Whether one of rule `ri`'s keywords (or exclusion keywords) ends within its
    /// look-behind window before `start`, in the same sentence (no `. `, `; `, `! `, `? ` or
    /// line break between). An exclusion counts only when no keyword of the rule stands
    /// nearer the candidate: in "the invoice... Also card 4111 ...", "card" decides.
    fn keyword_before(
        &self,
        ri: u16,
        kw: &KeywordHits,
        hay: &[u8],
        start: usize,
        exclude: bool,
    ) -> bool {
        let lb = self.rules[ri as usize].look_behind;
        // The nearest hit of this rule's keywords of either kind. Hits are in order of their
        // end: only those ending within the look-behind are weighed (linear in the cell).
        let mut nearest: Option<(usize, bool)> = None;
        let upto = kw.hits.partition_point(|&(_, end)| end as usize <= start);
        let from = kw.hits[..upto].partition_point(|&(_, end)| (end as usize) + lb < start);
        work(upto - from);
        for &(k, end) in &kw.hits[from..upto] {
            let end = end as usize;
            if end > start || start - end > lb || crosses_sentence(&hay[end..start]) {
                continue;
            }
            for &(r, ex) in &self.keyword_owners[k as usize] {
                if r == ri && nearest.is_none_or(|(e, _)| end > e || (end == e && !ex)) {
                    nearest = Some((end, ex));
                }
            }
        }
        match nearest {
            Some((_, ex)) if exclude => ex,
            Some(_) => kw.hits[from..upto].iter().any(|&(k, end)| {
                let end = end as usize;
                end <= start
                    && start - end <= lb
                    && !crosses_sentence(&hay[end..start])
                    && self.keyword_owners[k as usize]
                        .iter()
                        .any(|&(r, ex)| r == ri && !ex)
            }),
            None => false,
        }
    }

    /// Scans `text` as one cell of a column named `column` (examples, tests, the library API).
    pub fn scan_text(&self, column: &str, text: &str) -> Vec<Finding> {
        let plan = self.plan(column);
        let mut scratch = Scratch::default();
        self.scan_cell(&plan, text.as_bytes(), &mut scratch);
        scratch.findings
    }

    /// Runs every rule's positive and negative examples through the full detector; returns
    /// one message per failure.
    pub fn check_examples(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for r in &self.rules {
            for (i, ex) in r.examples.iter().enumerate() {
                let (col, text) = ex.parts();
                let found = self.scan_text(col, text);
                if !found.iter().any(|f| self.rules[f.rule as usize].id == r.id) {
                    let got: Vec<&str> = found
                        .iter()
                        .map(|f| self.rules[f.rule as usize].id.as_str())
                        .collect();
                    failures.push(format!(
                        "rule {}: failed to match example {i} ({text:?} in column {col:?}); found {got:?}",
                        r.id
                    ));
                }
            }
            for (i, ex) in r.negative_examples.iter().enumerate() {
                let (col, text) = ex.parts();
                if self
                    .scan_text(col, text)
                    .iter()
                    .any(|f| self.rules[f.rule as usize].id == r.id)
                {
                    failures.push(format!(
                        "rule {}: matched negative example {i} ({text:?} in column {col:?})",
                        r.id
                    ));
                }
            }
        }
        failures
    }
}

/// Whether the bytes between a keyword and a candidate close a sentence: a keyword in an
/// earlier sentence says nothing about this value.
fn crosses_sentence(between: &[u8]) -> bool {
    between
        .windows(2)
        .any(|w| matches!(w[0], b'.' | b';' | b'!' | b'?') && w[1].is_ascii_whitespace())
        || between.iter().any(|&b| b == b'\n' || b == b'\r')
}

/// Whether an IP address at `..e` is followed by a CIDR prefix length (`/8`, `/24`).
fn cidr_prefix(entity: &str, hay: &[u8], e: usize) -> bool {
    if entity != "IP_ADDRESS" || hay.get(e) != Some(&b'/') {
        return false;
    }
    let digits = hay[e + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let next = e + 1 + digits;
    // Not a date or a version: `/24` then the end, a space or punctuation (a full stop
    // ending a sentence, not `/8.5`).
    (1..=3).contains(&digits)
        && hay
            .get(next)
            .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'/')
        && !(hay.get(next) == Some(&b'.') && hay.get(next + 1).is_some_and(u8::is_ascii_digit))
}

/// Whether `hay[s..e]` continues into digits through a separator on either side.
fn glued_to_digits(hay: &[u8], s: usize, e: usize) -> bool {
    let sep = |b: u8| matches!(b, b'-' | b'.' | b'/' | b'_');
    let before = s >= 2 && sep(hay[s - 1]) && hay[s - 2].is_ascii_digit();
    let after = e + 1 < hay.len() && sep(hay[e]) && hay[e + 1].is_ascii_digit();
    before || after
}

fn is_char_boundary(b: &[u8], i: usize) -> bool {
    i >= b.len() || (b[i] as i8) >= -0x40
}

/// The span of `hay` without leading and trailing ASCII whitespace.
fn trim_span(hay: &[u8]) -> (usize, usize) {
    let s = hay
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(hay.len());
    let e = hay
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(s, |i| i + 1);
    (s, e)
}

/// Sorts findings by start and drops those overlapping a better one.
fn resolve_overlaps(v: &mut Vec<Finding>) {
    if v.len() < 2 {
        return;
    }
    v.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Finding> = Vec::with_capacity(v.len());
    for f in v.drain(..) {
        if let Some(last) = out.last_mut()
            && f.start < last.end
        {
            let better = f.score > last.score
                || (f.score == last.score && f.end - f.start > last.end - last.start);
            if better {
                *last = f;
            }
            continue;
        }
        out.push(f);
    }
    *v = out;
}

fn rule_err(id: &str, msg: &str) -> CompileError {
    CompileError::Rule {
        id: id.to_string(),
        message: msg.to_string(),
    }
}

/// A Unicode rule's pattern parsed as [`build_regex`] compiles it.
fn parse_unicode(pattern: &str) -> Result<regex_syntax::hir::Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(true)
        .utf8(true)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// The ASCII forms ([`asciify`]) of a Unicode rule's patterns; none for a byte rule.
fn ascii_forms(patterns: &[String], unicode: bool) -> Result<Vec<regex_syntax::hir::Hir>, String> {
    if !unicode {
        return Ok(Vec::new());
    }
    patterns
        .iter()
        .map(|p| parse_unicode(p).map(|h| asciify(&h)))
        .collect()
}

fn compile_rule(
    file: String,
    s: RuleSpec,
    entities: &[String],
    eager: bool,
) -> Result<Rule, CompileError> {
    let id_ok = {
        let parts: Vec<&str> = s.id.split('.').collect();
        parts.len() == 3
            && parts[0] == "pii"
            && !parts[1].is_empty()
            && parts[1]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !parts[2].is_empty()
            && parts[2].bytes().all(|b| b.is_ascii_digit())
    };
    if !id_ok {
        return Err(rule_err(
            &s.id,
            "id must look like pii.<kind>.<n> (lower-case kind, numeric version)",
        ));
    }
    if s.entity.is_empty()
        || !s
            .entity
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b'_')
    {
        return Err(rule_err(&s.id, "entity must be UPPER_SNAKE_CASE"));
    }
    if s.patterns.is_empty() {
        return Err(rule_err(&s.id, "at least one pattern is required"));
    }
    if !(0.0..=1.0).contains(&s.score) {
        return Err(rule_err(&s.id, "score must be within 0..=1"));
    }
    if s.examples.is_empty() || s.negative_examples.is_empty() {
        return Err(rule_err(
            &s.id,
            "at least one example and one negative example are required",
        ));
    }
    if s.description.trim().is_empty() || s.category.trim().is_empty() {
        return Err(rule_err(&s.id, "description and category are required"));
    }
    if s.keywords.len() + s.exclude_keywords.len() > MAX_KEYWORDS {
        return Err(rule_err(
            &s.id,
            &format!("keyword list exceeds {MAX_KEYWORDS} entries"),
        ));
    }
    if s.needs_context && s.keywords.is_empty() && s.column_hints.is_empty() {
        return Err(rule_err(
            &s.id,
            "a needs_context rule needs keywords or column_hints",
        ));
    }
    // A user rule's patterns are compiled now, so an error names the rule and the pattern's
    // index at load time; a built-in rule's are proven by `builtin_rules_compile_and_examples_pass`
    // and compiled on first use (start-up: 64 compiles were 0.1 s of a `check`).
    let own = std::sync::OnceLock::new();
    let ascii_hirs = std::sync::OnceLock::new();
    if eager {
        let pats: Vec<&str> = s.patterns.iter().map(String::as_str).collect();
        let re = build_regex(&pats, s.unicode, REGEX_SIZE_LIMIT)
            .map_err(|e| rule_err(&s.id, &format!("pattern does not compile: {e}")))?;
        let _ = own.set(re);
        let hirs = ascii_forms(&s.patterns, s.unicode)
            .map_err(|e| rule_err(&s.id, &format!("pattern does not parse: {e}")))?;
        let _ = ascii_hirs.set(hirs);
    }
    let requires = s
        .requires
        .iter()
        .map(|req| {
            req.split('|').try_fold(0u8, |mask, class| {
                class_bit(class.trim()).map(|b| mask | b).ok_or_else(|| {
                    rule_err(&s.id, &format!("unknown byte class `{class}` in requires"))
                })
            })
        })
        .collect::<Result<Vec<u8>, _>>()?;
    let validator = s
        .validator
        .as_deref()
        .map(str::parse::<Validator>)
        .transpose()
        .map_err(|e| rule_err(&s.id, &e))?;
    let entity_idx = entities
        .iter()
        .position(|e| *e == s.entity)
        .expect("entity list built from the specs");
    Ok(Rule {
        entity_idx,
        name: s.name,
        category: s.category,
        description: s.description.trim().to_string(),
        patterns: s.patterns,
        unicode: s.unicode,
        scope: s.scope,
        validator,
        score: s.score,
        needs_context: s.needs_context,
        unnamed_columns: s.unnamed_columns,
        look_behind: s.look_behind.unwrap_or(DEFAULT_LOOK_BEHIND),
        keywords: s.keywords.iter().map(|k| k.to_lowercase()).collect(),
        exclude_keywords: s
            .exclude_keywords
            .iter()
            .map(|k| k.to_lowercase())
            .collect(),
        hints: s.column_hints.iter().map(|h| hints::Hint::new(h)).collect(),
        hints_exclude: s
            .column_hints_exclude
            .iter()
            .map(|h| hints::Hint::new(h))
            .collect(),
        own,
        ascii_hirs,
        own_id: NEXT_ENGINE.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        damp_in_lookalike_columns: s.damp_in_lookalike_columns.unwrap_or(true),
        requires,
        examples: s.examples,
        negative_examples: s.negative_examples,
        references: s.references,
        source_file: file,
        entity: s.entity,
        id: s.id,
    })
}

/// Parses one rule file's text.
pub fn parse_rule_file(name: &str, text: &str) -> Result<RuleFileSpec, CompileError> {
    toml::from_str(text).map_err(|e| CompileError::Parse {
        file: name.to_string(),
        message: e.to_string(),
    })
}

/// The built-in rule files, parsed.
pub fn builtin_specs() -> Result<Vec<(String, RuleFileSpec)>, CompileError> {
    builtin::RULE_FILES
        .iter()
        .map(|(name, text)| Ok((format!("rules/{name}"), parse_rule_file(name, text)?)))
        .collect()
}

/// Every `*.toml` file under `dir`, recursively, sorted by path, parsed.
pub fn load_dir(dir: &Path) -> Result<Vec<(String, RuleFileSpec)>, CompileError> {
    let mut paths = Vec::new();
    collect_toml(dir, &mut paths)?;
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(&p).map_err(|source| CompileError::Io {
                path: name.clone(),
                source,
            })?;
            Ok((name.clone(), parse_rule_file(&name, &text)?))
        })
        .collect()
}

fn collect_toml(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), CompileError> {
    let io = |source| CompileError::Io {
        path: dir.display().to_string(),
        source,
    };
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let p = entry.path();
        let ft = entry.file_type().map_err(io)?;
        if ft.is_dir() {
            collect_toml(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(d: &Detector, col: &str, text: &str) -> Vec<(String, String)> {
        d.scan_text(col, text)
            .iter()
            .map(|f| {
                (
                    d.entities[f.entity as usize].clone(),
                    text[f.start as usize..f.end as usize].to_string(),
                )
            })
            .collect()
    }

    /// Found by fuzzing (fixtures/fuzz/read_csv): a header read as one column (wrong
    /// delimiter) hints at every entity at once; the union of all rules must still compile.
    #[test]
    fn a_column_name_hinting_every_entity_scans() {
        let d = Detector::builtin().unwrap();
        let header = "customer_id\tfull_name\temail\tphone\tssn\tcard_number\tiban\tip_address\t\
                      date_of_birth\tzip\tcity\tgender\taccount\tpassport\tdriver_license\t\
                      nino\tnhs\tstreet_address\tpostal_code\tmac\titin\tfirst_name\tsurname";
        let f = found(
            &d,
            header,
            "Jane Doe, jane.doe@example.com, 4111 1111 1111 1111",
        );
        assert!(f.iter().any(|(e, _)| e == "EMAIL_ADDRESS"), "{f:?}");
    }

    /// The ASCII forms of the Unicode rules (run on ASCII cells, with the lazy DFA) find
    /// exactly what the Unicode patterns find on ASCII text.
    #[test]
    fn ascii_forms_match_like_the_unicode_patterns_on_ascii_text() {
        let d = Detector::builtin().unwrap();
        let words = [
            "Jane",
            "Doe",
            "van",
            "der",
            "Berg",
            "Mr.",
            "Dr",
            "O'Brien",
            "McDonald",
            "Anne-Marie",
            "12",
            "221B",
            "Baker",
            "Street",
            "Apt.",
            "4",
            "rue",
            "de",
            "la",
            "Paix",
            "Strasse",
            "Hauptstr.",
            "5/1",
            "Via",
            "Roma",
            ",",
            ".",
            "the",
            "called",
            "NW",
            "Suite",
            "#12",
            "K.",
            "Lane",
            "x",
            "2024-01-05",
            "a@b.example",
            "Ave",
            "Canyon",
            "  ",
            "\t",
            "-",
        ];
        let mut x: u64 = 7;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        let mut hays: Vec<String> = Vec::new();
        for _ in 0..3000 {
            let n = 1 + next(9);
            let parts: Vec<&str> = (0..n).map(|_| words[next(words.len())]).collect();
            hays.push(parts.join(if next(3) == 0 { "" } else { " " }));
        }
        for r in d.rules.iter().filter(|r| r.unicode) {
            let pats: Vec<&str> = r.patterns.iter().map(String::as_str).collect();
            let uni = build_regex(&pats, true, REGEX_SIZE_LIMIT).unwrap();
            let asc = Regex::builder()
                .configure(regex_config(false, REGEX_SIZE_LIMIT))
                .build_many_from_hir(r.ascii_hirs())
                .unwrap();
            for h in &hays {
                let a: Vec<_> = uni
                    .find_iter(h.as_bytes())
                    .map(|m| (m.pattern(), m.range()))
                    .collect();
                let b: Vec<_> = asc
                    .find_iter(h.as_bytes())
                    .map(|m| (m.pattern(), m.range()))
                    .collect();
                assert_eq!(a, b, "rule {} on {h:?}", r.id);
            }
        }
    }

    #[test]
    fn builtin_rules_compile_and_examples_pass() {
        let d = Detector::builtin().unwrap();
        // Built-in patterns compile on first use: prove here that each one does, alone and
        // under the size limit, as a user rule's are at load.
        for r in &d.rules {
            let pats: Vec<&str> = r.patterns.iter().map(String::as_str).collect();
            if let Err(e) = build_regex(&pats, r.unicode, REGEX_SIZE_LIMIT) {
                panic!("{}: {e}", r.id);
            }
            if let Err(e) = ascii_forms(&r.patterns, r.unicode) {
                panic!("{}: {e}", r.id);
            }
        }
        let eager = Detector::from_files(builtin_specs().unwrap()).unwrap();
        assert_eq!(eager.rules.len(), d.rules.len());
        let failures = d.check_examples();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Plans are kept per detector and their memo of repeated cells per thread: a score
    /// floor changed between scans must still apply to cells judged before it changed.
    #[test]
    fn a_changed_score_floor_applies_to_remembered_cells() {
        let cells: &[&[u8]] = &[b"jane@example.com", b"call 0151 4418 2093", b"Anna Schmidt"];
        let judge = |d: &Detector, scratch: &mut Scratch| -> Vec<usize> {
            let plan = d.plan("contact");
            cells
                .iter()
                .map(|c| {
                    d.scan_cell_memo(&plan, c, scratch);
                    scratch.findings.len()
                })
                .collect()
        };
        // One scratch throughout, as a worker thread keeps it.
        let mut scratch = Scratch::default();
        let mut d = Detector::builtin().unwrap();
        let low = judge(&d, &mut scratch);
        assert!(low.iter().any(|&n| n > 0), "{low:?}");
        d.min_score = 1.5;
        assert_eq!(judge(&d, &mut scratch), vec![0; cells.len()]);
        d.min_score = 0.5;
        assert_eq!(judge(&d, &mut scratch), low);
    }

    #[test]
    fn failed_luhn_falls_back_to_account_in_account_column() {
        let d = Detector::builtin().unwrap();
        let f = found(&d, "account_number", "1234567890123456");
        assert_eq!(
            f,
            vec![("ACCOUNT_NUMBER".into(), "1234567890123456".into())]
        );
    }

    #[test]
    fn free_text_finds_several_entities() {
        let d = Detector::builtin().unwrap();
        let text = "Customer Jane Doe (jane.doe@example.com, +44 20 7946 0958) from 203.0.113.7";
        let f = found(&d, "notes", text);
        let ents: Vec<&str> = f.iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(
            ents,
            ["PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "IP_ADDRESS"],
            "{f:?}"
        );
        assert_eq!(f[0].1, "Jane Doe");
    }

    #[test]
    fn lookalike_columns_are_damped() {
        let d = Detector::builtin().unwrap();
        assert!(found(&d, "app_version", "10.2.3.4").is_empty());
        assert_eq!(found(&d, "", "10.2.3.4").len(), 1);
    }

    #[test]
    fn later_mentions_of_a_name_are_that_person() {
        let d = Detector::builtin().unwrap();
        let text = "Customer Kenji Watanabe asked for a refund. Watanabe-san called again; told Watanabe it is done.";
        let names: Vec<&str> = d
            .scan_text("notes", text)
            .iter()
            .filter(|f| d.entities[f.entity as usize] == "PERSON")
            .map(|f| &text[f.start as usize..f.end as usize])
            .collect();
        assert_eq!(names, ["Kenji Watanabe", "Watanabe", "Watanabe"]);
    }

    #[test]
    fn overlaps_keep_the_best() {
        let mut v = vec![
            Finding {
                rule: 0,
                entity: 0,
                start: 0,
                end: 10,
                score: 0.6,
            },
            Finding {
                rule: 1,
                entity: 1,
                start: 2,
                end: 8,
                score: 0.9,
            },
            Finding {
                rule: 2,
                entity: 2,
                start: 12,
                end: 14,
                score: 0.9,
            },
        ];
        resolve_overlaps(&mut v);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].rule, 1);
    }
}
