//! The entity registry: everything shroud knows about an entity, in one table.
//!
//! An entity is what a rule finds (`EMAIL_ADDRESS`, `US_SSN`...). Each row says how it ranks
//! when two rules overlap, whether it identifies a person directly or only narrows them down,
//! whether it is evident on its own inside a column of another entity, how values are
//! normalised before keying, what its token looks like, what `generalize` does to it, and what
//! the default pseudonymization and share policies do with it. Rules name entities; every
//! other module asks this table. A test checks that every built-in rule's entity has a row and
//! that the default policies agree with the rows.
//!
//! Entities that user rules bring and this table does not know get [`EntityInfo::unknown`]:
//! a direct identifier, tokenized, denied by the share policy.

/// How an entity identifies a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifies {
    /// On its own (an email, a national id): never group by it, never share it raw.
    Directly,
    /// In combination (a birth date, a postal code, a city): a quasi-identifier.
    InCombination,
}

/// How a value is normalised before keying, so formatting differences keep joins working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalize {
    /// Trimmed and lower-cased.
    Email,
    /// E.164 where the number's region is known (see `transform::token::normalize_phone`).
    Phone,
    /// Letters and digits only, upper-cased (cards, ids, IBANs).
    Alphanumeric,
    /// Parsed and printed canonically.
    Ip,
    /// Whitespace collapsed, lower-cased (names, places, text).
    Text,
}

/// The shape of an entity's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenShape {
    /// `u<16 hex>@pseudo.invalid`: still an email address, in a reserved domain (RFC 2606).
    Email,
    /// `100::<64 bits>`: an IPv6 address in the discard-only prefix (RFC 6666), for IPv4 and
    /// IPv6 alike (an IPv4 token would have only 24 bits).
    Ip,
    /// `<tag>_<16 hex>`: 64 keyed bits behind a tag no CSV or JSON reader takes for a number.
    Tagged(&'static str),
}

/// What `generalize` does to a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generalize {
    /// A date to the first day of its year, in the value's own layout.
    Year,
    /// The first three characters (postal codes).
    Prefix3,
    /// IPv4 /24, IPv6 /48.
    Network,
    /// The domain of an email address.
    Domain,
    /// Numbers to bands of a power of ten; anything else redacted.
    Band,
}

/// What the default share policy of `shroud check` says of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareDefault {
    /// May appear.
    Allow,
    /// May not appear.
    Deny,
    /// May appear when at most this many characters long (generalized postal codes).
    MaxLength(usize),
    /// May appear once generalized (`generalize` leaves it as it is: a birth date on
    /// January 1st).
    Generalized,
}

/// One row of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityInfo {
    /// The name rules use (Microsoft Presidio's where it has one).
    pub name: &'static str,
    /// Rank when candidates of two entities start at the same place: lower wins. Specific,
    /// checksummed entities come first, context-only digit strings last.
    pub priority: u8,
    /// Direct or quasi identifier.
    pub identifies: Identifies,
    /// Whether a value of this entity stands out on its own inside a column whose verdict is
    /// another entity (an email typed into a city column). Entities found by dictionary or
    /// shape alone (a name, a place, a date) are not: in a column of cities, "Jordan" is a
    /// place, not a person.
    pub self_evident: bool,
    /// Key family: entities whose values must join share one (an SSN also read as an ITIN).
    pub family: &'static str,
    /// Normalisation before keying.
    pub normalize: Normalize,
    /// Token shape.
    pub token: TokenShape,
    /// Whether `fpe` covers the value: it encrypts digits only, so only entities made of
    /// digits (and separators) may use it.
    pub fpe: bool,
    /// What `generalize` does.
    pub generalize: Generalize,
    /// The default pseudonymization operator (`transform/default_policy.toml` says the same).
    pub default_operator: &'static str,
    /// The default share policy.
    pub share: ShareDefault,
}

const fn direct(
    name: &'static str,
    priority: u8,
    normalize: Normalize,
    token: TokenShape,
    fpe: bool,
) -> EntityInfo {
    EntityInfo {
        name,
        priority,
        identifies: Identifies::Directly,
        self_evident: true,
        family: name,
        normalize,
        token,
        fpe,
        generalize: Generalize::Band,
        default_operator: "token",
        share: ShareDefault::Deny,
    }
}

/// Every entity the built-in rules find.
pub static ENTITIES: &[EntityInfo] = &[
    EntityInfo {
        generalize: Generalize::Domain,
        ..direct(
            "EMAIL_ADDRESS",
            0,
            Normalize::Email,
            TokenShape::Email,
            false,
        )
    },
    direct(
        "IBAN_CODE",
        1,
        Normalize::Alphanumeric,
        TokenShape::Tagged("iban"),
        false,
    ),
    direct(
        "CREDIT_CARD",
        2,
        Normalize::Alphanumeric,
        TokenShape::Tagged("card"),
        true,
    ),
    EntityInfo {
        family: "US_TAX_ID",
        ..direct(
            "US_SSN",
            3,
            Normalize::Alphanumeric,
            TokenShape::Tagged("taxid"),
            true,
        )
    },
    EntityInfo {
        family: "US_TAX_ID",
        ..direct(
            "US_ITIN",
            4,
            Normalize::Alphanumeric,
            TokenShape::Tagged("taxid"),
            true,
        )
    },
    direct(
        "UK_NINO",
        5,
        Normalize::Alphanumeric,
        TokenShape::Tagged("nino"),
        false,
    ),
    direct(
        "MAC_ADDRESS",
        6,
        Normalize::Alphanumeric,
        TokenShape::Tagged("mac"),
        false,
    ),
    EntityInfo {
        generalize: Generalize::Network,
        ..direct("IP_ADDRESS", 7, Normalize::Ip, TokenShape::Ip, false)
    },
    direct(
        "PHONE_NUMBER",
        32,
        Normalize::Phone,
        TokenShape::Tagged("tel"),
        true,
    ),
    direct(
        "UK_NHS",
        31,
        Normalize::Alphanumeric,
        TokenShape::Tagged("nhs"),
        true,
    ),
    EntityInfo {
        name: "DATE_OF_BIRTH",
        priority: 33,
        identifies: Identifies::InCombination,
        self_evident: false,
        family: "DATE_OF_BIRTH",
        normalize: Normalize::Text,
        token: TokenShape::Tagged("date"),
        fpe: false,
        generalize: Generalize::Year,
        default_operator: "generalize",
        share: ShareDefault::Generalized,
    },
    EntityInfo {
        name: "STREET_ADDRESS",
        priority: 34,
        identifies: Identifies::Directly,
        self_evident: false,
        family: "STREET_ADDRESS",
        normalize: Normalize::Text,
        token: TokenShape::Tagged("address"),
        fpe: false,
        generalize: Generalize::Band,
        default_operator: "replace",
        share: ShareDefault::Deny,
    },
    EntityInfo {
        name: "POSTAL_CODE",
        priority: 35,
        identifies: Identifies::InCombination,
        self_evident: false,
        family: "POSTAL_CODE",
        normalize: Normalize::Alphanumeric,
        token: TokenShape::Tagged("zip"),
        fpe: false,
        generalize: Generalize::Prefix3,
        default_operator: "generalize",
        share: ShareDefault::MaxLength(3),
    },
    EntityInfo {
        self_evident: false,
        ..direct(
            "PERSON",
            36,
            Normalize::Text,
            TokenShape::Tagged("person"),
            false,
        )
    },
    EntityInfo {
        name: "LOCATION",
        priority: 37,
        identifies: Identifies::InCombination,
        self_evident: false,
        family: "LOCATION",
        normalize: Normalize::Text,
        token: TokenShape::Tagged("place"),
        fpe: false,
        generalize: Generalize::Band,
        default_operator: "keep",
        share: ShareDefault::Allow,
    },
    EntityInfo {
        name: "GENDER",
        priority: 38,
        identifies: Identifies::InCombination,
        self_evident: false,
        family: "GENDER",
        normalize: Normalize::Text,
        token: TokenShape::Tagged("gender"),
        fpe: false,
        generalize: Generalize::Band,
        default_operator: "keep",
        share: ShareDefault::Allow,
    },
    EntityInfo {
        self_evident: false,
        family: "PASSPORT",
        ..direct(
            "US_PASSPORT",
            39,
            Normalize::Alphanumeric,
            TokenShape::Tagged("passport"),
            false,
        )
    },
    EntityInfo {
        self_evident: false,
        ..direct(
            "US_DRIVER_LICENSE",
            40,
            Normalize::Alphanumeric,
            TokenShape::Tagged("dl"),
            false,
        )
    },
    direct(
        "DE_TAX_ID",
        8,
        Normalize::Alphanumeric,
        TokenShape::Tagged("taxid_de"),
        true,
    ),
    direct(
        "FR_NIR",
        9,
        Normalize::Alphanumeric,
        TokenShape::Tagged("nir"),
        false,
    ),
    direct(
        "ES_NIF",
        10,
        Normalize::Alphanumeric,
        TokenShape::Tagged("nif"),
        false,
    ),
    direct(
        "ES_NIE",
        11,
        Normalize::Alphanumeric,
        TokenShape::Tagged("nie"),
        false,
    ),
    direct(
        "IT_FISCAL_CODE",
        12,
        Normalize::Alphanumeric,
        TokenShape::Tagged("cf"),
        false,
    ),
    direct(
        "NL_BSN",
        13,
        Normalize::Alphanumeric,
        TokenShape::Tagged("bsn"),
        true,
    ),
    direct(
        "BE_NATIONAL_NUMBER",
        14,
        Normalize::Alphanumeric,
        TokenShape::Tagged("nn"),
        true,
    ),
    direct(
        "PL_PESEL",
        15,
        Normalize::Alphanumeric,
        TokenShape::Tagged("pesel"),
        true,
    ),
    direct(
        "SE_PERSONNUMMER",
        16,
        Normalize::Alphanumeric,
        TokenShape::Tagged("pnr"),
        false,
    ),
    direct(
        "BR_CPF",
        17,
        Normalize::Alphanumeric,
        TokenShape::Tagged("cpf"),
        true,
    ),
    direct(
        "MX_CURP",
        18,
        Normalize::Alphanumeric,
        TokenShape::Tagged("curp"),
        false,
    ),
    direct(
        "CA_SIN",
        19,
        Normalize::Alphanumeric,
        TokenShape::Tagged("sin"),
        true,
    ),
    direct(
        "AU_TFN",
        20,
        Normalize::Alphanumeric,
        TokenShape::Tagged("tfn"),
        true,
    ),
    direct(
        "AU_MEDICARE",
        21,
        Normalize::Alphanumeric,
        TokenShape::Tagged("medicare"),
        true,
    ),
    direct(
        "IN_AADHAAR",
        22,
        Normalize::Alphanumeric,
        TokenShape::Tagged("aadhaar"),
        true,
    ),
    direct(
        "IN_PAN",
        23,
        Normalize::Alphanumeric,
        TokenShape::Tagged("pan"),
        false,
    ),
    direct(
        "CN_RESIDENT_ID",
        24,
        Normalize::Alphanumeric,
        TokenShape::Tagged("cnid"),
        false,
    ),
    direct(
        "JP_MY_NUMBER",
        25,
        Normalize::Alphanumeric,
        TokenShape::Tagged("mynumber"),
        true,
    ),
    direct(
        "KR_RRN",
        26,
        Normalize::Alphanumeric,
        TokenShape::Tagged("rrn"),
        true,
    ),
    direct(
        "SG_NRIC_FIN",
        27,
        Normalize::Alphanumeric,
        TokenShape::Tagged("nric"),
        false,
    ),
    direct(
        "ZA_ID",
        28,
        Normalize::Alphanumeric,
        TokenShape::Tagged("zaid"),
        true,
    ),
    direct(
        "EU_VAT",
        29,
        Normalize::Alphanumeric,
        TokenShape::Tagged("vat"),
        false,
    ),
    // A company's registration number: found (it sits next to personal data in invoices), but
    // no person's, so kept and shared as it is.
    EntityInfo {
        identifies: Identifies::InCombination,
        default_operator: "keep",
        share: ShareDefault::Allow,
        ..direct(
            "BR_CNPJ",
            30,
            Normalize::Alphanumeric,
            TokenShape::Tagged("cnpj"),
            true,
        )
    },
    EntityInfo {
        self_evident: false,
        ..direct(
            "PASSPORT",
            41,
            Normalize::Alphanumeric,
            TokenShape::Tagged("passport"),
            false,
        )
    },
    // A login or handle: found by its column's name, or as an `@handle` by the high-recall
    // pass in free text.
    EntityInfo {
        self_evident: false,
        ..direct(
            "USERNAME",
            43,
            Normalize::Text,
            TokenShape::Tagged("user"),
            false,
        )
    },
    EntityInfo {
        self_evident: false,
        ..direct(
            "ACCOUNT_NUMBER",
            42,
            Normalize::Alphanumeric,
            TokenShape::Tagged("acct"),
            true,
        )
    },
];

impl EntityInfo {
    /// The row for an entity only user rules know: a direct identifier, tokenized, denied.
    pub const fn unknown(name: &'static str) -> EntityInfo {
        EntityInfo {
            name,
            priority: 50,
            identifies: Identifies::Directly,
            self_evident: false,
            family: name,
            normalize: Normalize::Text,
            token: TokenShape::Tagged("tok"),
            fpe: false,
            generalize: Generalize::Band,
            default_operator: "token",
            share: ShareDefault::Deny,
        }
    }

    /// Whether the entity identifies a person on its own.
    pub fn is_direct(&self) -> bool {
        self.identifies == Identifies::Directly
    }
}

/// Whether a finding of `found` in a column whose kept verdict is `kept` belongs to that
/// verdict (issue 23, class 7): the kept entity itself, and readings of its values as
/// another entity. A street address, a birth date or a postcode typed into a city or gender
/// column is not the column's, and is handled by its own entity's operator.
pub fn kept_column_covers(kept: &str, found: &str) -> bool {
    // A place is often also a first name (Paris, Florence, Lourdes): in a column of places
    // that reading is the place's. Nothing else typed into a kept column is the column's.
    found == kept || (kept == "LOCATION" && found == "PERSON")
}

/// The registry row of `name`, if the built-in table has one.
pub fn lookup(name: &str) -> Option<&'static EntityInfo> {
    ENTITIES.iter().find(|e| e.name == name)
}

/// The registry row of `name`, or the row for unknown entities.
pub fn info(name: &str) -> EntityInfo {
    lookup(name)
        .copied()
        .unwrap_or_else(|| EntityInfo::unknown("UNKNOWN"))
}

/// Whether `name` identifies a person directly (unknown entities do).
pub fn is_direct(name: &str) -> bool {
    info(name).is_direct()
}

/// ` (did you mean X?)` for the registry entity closest to a misspelled `name`, or nothing.
pub fn did_you_mean(name: &str) -> String {
    let best = ENTITIES
        .iter()
        .map(|e| (edit_distance(&name.to_ascii_uppercase(), e.name), e.name))
        .min();
    match best {
        Some((d, n)) if d <= 3.max(name.len() / 4) => format!(" (did you mean {n}?)"),
        _ => String::new(),
    }
}

/// Levenshtein distance (for "did you mean" hints).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Names of the direct identifiers, in registry order.
pub fn direct_identifiers() -> impl Iterator<Item = &'static str> {
    ENTITIES.iter().filter(|e| e.is_direct()).map(|e| e.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_priorities_are_unique() {
        let mut names: Vec<&str> = ENTITIES.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ENTITIES.len());
        let mut prio: Vec<u8> = ENTITIES.iter().map(|e| e.priority).collect();
        prio.sort_unstable();
        prio.dedup();
        assert_eq!(prio.len(), ENTITIES.len());
    }

    #[test]
    fn every_builtin_rule_entity_is_registered_and_every_entry_has_a_rule() {
        let specs = crate::detect::builtin_specs().unwrap();
        let mut from_rules = std::collections::BTreeSet::new();
        for (_, f) in &specs {
            for r in &f.rule {
                from_rules.insert(r.entity.clone());
            }
        }
        for e in &from_rules {
            assert!(
                lookup(e).is_some(),
                "entity {e} has rules but no registry row"
            );
        }
        for e in ENTITIES {
            assert!(
                from_rules.contains(e.name),
                "registry row {} has no rule",
                e.name
            );
        }
    }

    #[test]
    fn default_policies_agree_with_the_registry() {
        let policy = crate::transform::Policy::builtin();
        let share = crate::check::SharePolicy::builtin();
        for e in ENTITIES {
            assert_eq!(
                policy.operator("", e.name).name(),
                e.default_operator,
                "default_policy.toml disagrees with the registry on {}",
                e.name
            );
            assert_eq!(
                share.entity_default(e.name),
                e.share,
                "the default share policy disagrees with the registry on {}",
                e.name
            );
            assert!(
                !e.fpe || matches!(e.normalize, Normalize::Alphanumeric | Normalize::Phone),
                "{}: fpe is only for digit entities",
                e.name
            );
        }
    }

    #[test]
    fn misspelled_entities_get_a_hint() {
        assert_eq!(
            did_you_mean("EMAIL_ADRESS"),
            " (did you mean EMAIL_ADDRESS?)"
        );
        assert_eq!(did_you_mean("ZZZZZZZZZZZZZZZZ"), "");
    }

    #[test]
    fn token_tags_join_only_within_a_family() {
        for a in ENTITIES {
            for b in ENTITIES {
                if a.token == b.token && a.name != b.name {
                    assert_eq!(
                        a.family, b.family,
                        "{} and {} share a token tag",
                        a.name, b.name
                    );
                }
            }
        }
    }
}
