//! Validators: checksum and structure checks that confirm or reject a regex candidate.
//!
//! Patterns live in `rules/*.toml`; the checks live here, as code, in a closed enum that rule
//! files name (`validator = "luhn"`). One small file per family, each with unit tests on
//! published vectors and corrupted variants. A validator sees the candidate text and returns a
//! [`Check`]: invalid, valid, or plausible (right shape, not confirmed: accepted only where
//! context says so), optionally narrowing the span.

mod date;
mod iban;
mod luhn;
mod misc;
pub(crate) mod names;
pub mod national;
pub(crate) mod numbering;
pub(crate) mod phone;
mod ssn;

pub use names::Names;

use std::fmt;
use std::str::FromStr;

/// The outcome of validating one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Not the entity: drop the candidate.
    Invalid,
    /// The right shape, not confirmed by a checksum or plan: kept only with context.
    Plausible,
    /// Not confirmed, but the shape alone is strong evidence (a `+44…` number in a range the
    /// numbering plan reserves for fiction): kept without context, scored lower.
    Likely,
    /// Confirmed.
    Valid,
}

/// A validator's verdict and an optional narrower span, relative to the candidate text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// Whether the candidate is the entity.
    pub validity: Validity,
    /// A sub-span `(start, end)` of the candidate that is the actual value, when narrower.
    pub span: Option<(usize, usize)>,
}

impl From<Validity> for Check {
    fn from(validity: Validity) -> Self {
        Check {
            validity,
            span: None,
        }
    }
}

/// The validators a rule may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Validator {
    /// Luhn checksum, issuer prefix and length, consistent separators (`credit_card`).
    CreditCard,
    /// ISO 13616 country length and mod-97 (`iban`).
    Iban,
    /// SSA structure rules (`us_ssn`).
    UsSsn,
    /// IRS ITIN ranges (`us_itin`).
    UsItin,
    /// libphonenumber numbering plans (`phone`).
    Phone,
    /// The North American plan only: a NANP-shaped number the plan rejects (`123-456-7890`)
    /// is merely plausible, whatever other countries' plans say (`phone_nanp`).
    PhoneNanp,
    /// Parsed IPv4, not part of a longer dotted run (`ipv4`).
    Ipv4,
    /// Parsed IPv6 (`ipv6`).
    Ipv6,
    /// Not an all-zero or broadcast MAC (`mac`).
    Mac,
    /// Domain labels, TLD, reserved domains (`email`).
    Email,
    /// Real calendar date between 1900 and today (`date_of_birth`).
    DateOfBirth,
    /// An epoch number (seconds, milliseconds, microseconds) that is a birth date.
    EpochDateOfBirth,
    /// A user name: not a common word of any supported language (`token`, `admin`, `true`).
    Username,
    /// An `@handle` in text: at the start, or after a blank or an opening mark (a letter
    /// before the `@` makes an e-mail address), and no e-mail domain after the name.
    Handle,
    /// First-name / surname dictionaries and titles; narrows the span (`person_name`).
    PersonName,
    /// Lower-case words of which one is a known name and none a non-name (`name_words`).
    NameWords,
    /// A whole cell in a name column that does not name an organisation (`name_cell`).
    NameCell,
    /// Has a house number and a word (`address_like`).
    AddressLike,
    /// Not a workflow-state word such as `Pending` or `Active` (`place_name`).
    PlaceName,
    /// HMRC prefix rules (`uk_nino`).
    UkNino,
    /// NHS mod-11 check digit (`uk_nhs`).
    UkNhs,
    /// A national identifier's structure and check digits ([`national`]): `de_steuer_id`,
    /// `fr_nir`, `es_dni`... (the function's name is the validator's name).
    National(NationalId),
}

/// The national identifiers [`national`] checks, one per validator name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NationalId {
    /// `de_steuer_id`.
    DeSteuerId,
    /// `fr_nir`.
    FrNir,
    /// `es_dni`.
    EsDni,
    /// `es_nie`.
    EsNie,
    /// `it_codice_fiscale`.
    ItCodiceFiscale,
    /// `nl_bsn`.
    NlBsn,
    /// `be_national_number`.
    BeNationalNumber,
    /// `pl_pesel`.
    PlPesel,
    /// `se_personnummer`.
    SePersonnummer,
    /// `br_cpf`.
    BrCpf,
    /// `br_cnpj`.
    BrCnpj,
    /// `mx_curp`.
    MxCurp,
    /// `ca_sin`.
    CaSin,
    /// `au_tfn`.
    AuTfn,
    /// `au_medicare`.
    AuMedicare,
    /// `in_aadhaar`.
    InAadhaar,
    /// `in_pan`.
    InPan,
    /// `cn_resident_id`.
    CnResidentId,
    /// `jp_my_number`.
    JpMyNumber,
    /// `kr_rrn`.
    KrRrn,
    /// `sg_nric`.
    SgNric,
    /// `za_id`.
    ZaId,
    /// `eu_vat`.
    EuVat,
}

impl NationalId {
    /// Whether `text` is a valid identifier of this kind.
    pub fn check(self, text: &str) -> bool {
        match self {
            NationalId::DeSteuerId => national::de_steuer_id(text),
            NationalId::FrNir => national::fr_nir(text),
            NationalId::EsDni => national::es_dni(text),
            NationalId::EsNie => national::es_nie(text),
            NationalId::ItCodiceFiscale => national::it_codice_fiscale(text),
            NationalId::NlBsn => national::nl_bsn(text),
            NationalId::BeNationalNumber => national::be_national_number(text),
            NationalId::PlPesel => national::pl_pesel(text),
            NationalId::SePersonnummer => national::se_personnummer(text),
            NationalId::BrCpf => national::br_cpf(text),
            NationalId::BrCnpj => national::br_cnpj(text),
            NationalId::MxCurp => national::mx_curp(text),
            NationalId::CaSin => national::ca_sin(text),
            NationalId::AuTfn => national::au_tfn(text),
            NationalId::AuMedicare => national::au_medicare(text),
            NationalId::InAadhaar => national::in_aadhaar(text),
            NationalId::InPan => national::in_pan(text),
            NationalId::CnResidentId => national::cn_resident_id(text),
            NationalId::JpMyNumber => national::jp_my_number(text),
            NationalId::KrRrn => national::kr_rrn(text),
            NationalId::SgNric => national::sg_nric(text),
            NationalId::ZaId => national::za_id(text),
            NationalId::EuVat => national::eu_vat(text),
        }
    }
}

/// Every validator with its name in rule files.
pub const ALL: &[(&str, Validator)] = &[
    ("credit_card", Validator::CreditCard),
    ("iban", Validator::Iban),
    ("us_ssn", Validator::UsSsn),
    ("us_itin", Validator::UsItin),
    ("phone", Validator::Phone),
    ("phone_nanp", Validator::PhoneNanp),
    ("ipv4", Validator::Ipv4),
    ("ipv6", Validator::Ipv6),
    ("mac", Validator::Mac),
    ("email", Validator::Email),
    ("date_of_birth", Validator::DateOfBirth),
    ("epoch_date_of_birth", Validator::EpochDateOfBirth),
    ("username", Validator::Username),
    ("handle", Validator::Handle),
    ("person_name", Validator::PersonName),
    ("name_words", Validator::NameWords),
    ("name_cell", Validator::NameCell),
    ("address_like", Validator::AddressLike),
    ("place_name", Validator::PlaceName),
    ("uk_nino", Validator::UkNino),
    ("uk_nhs", Validator::UkNhs),
    ("de_steuer_id", Validator::National(NationalId::DeSteuerId)),
    ("fr_nir", Validator::National(NationalId::FrNir)),
    ("es_dni", Validator::National(NationalId::EsDni)),
    ("es_nie", Validator::National(NationalId::EsNie)),
    (
        "it_codice_fiscale",
        Validator::National(NationalId::ItCodiceFiscale),
    ),
    ("nl_bsn", Validator::National(NationalId::NlBsn)),
    (
        "be_national_number",
        Validator::National(NationalId::BeNationalNumber),
    ),
    ("pl_pesel", Validator::National(NationalId::PlPesel)),
    (
        "se_personnummer",
        Validator::National(NationalId::SePersonnummer),
    ),
    ("br_cpf", Validator::National(NationalId::BrCpf)),
    ("br_cnpj", Validator::National(NationalId::BrCnpj)),
    ("mx_curp", Validator::National(NationalId::MxCurp)),
    ("ca_sin", Validator::National(NationalId::CaSin)),
    ("au_tfn", Validator::National(NationalId::AuTfn)),
    ("au_medicare", Validator::National(NationalId::AuMedicare)),
    ("in_aadhaar", Validator::National(NationalId::InAadhaar)),
    ("in_pan", Validator::National(NationalId::InPan)),
    (
        "cn_resident_id",
        Validator::National(NationalId::CnResidentId),
    ),
    ("jp_my_number", Validator::National(NationalId::JpMyNumber)),
    ("kr_rrn", Validator::National(NationalId::KrRrn)),
    ("sg_nric", Validator::National(NationalId::SgNric)),
    ("za_id", Validator::National(NationalId::ZaId)),
    ("eu_vat", Validator::National(NationalId::EuVat)),
];

impl FromStr for Validator {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL.iter()
            .find(|(n, _)| *n == s)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let names: Vec<&str> = ALL.iter().map(|(n, _)| *n).collect();
                format!("unknown validator `{s}` (known: {})", names.join(", "))
            })
    }
}

impl fmt::Display for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = ALL.iter().find(|(_, v)| v == self).map_or("?", |(n, _)| n);
        f.write_str(name)
    }
}

impl Validator {
    /// Validates the candidate `cell[start..end]`; `cell` gives the surroundings that some
    /// checks need (a dotted quad followed by `.5` is a version, not an IP).
    pub fn check(self, cell: &str, start: usize, end: usize) -> Check {
        let text = &cell[start..end];
        match self {
            Validator::CreditCard => misc::credit_card(text),
            Validator::Iban => misc::iban(text),
            Validator::UsSsn => bool_check(ssn::ssn_ok(text)),
            Validator::UsItin => bool_check(ssn::itin_ok(text)),
            // A national-looking number right after `+` is part of an international one; and
            // `+0` is no country code (shroud's phone tokens start so).
            Validator::Phone if start > 0 && cell.as_bytes()[start - 1] == b'+' => {
                Validity::Invalid.into()
            }
            Validator::Phone if text.starts_with("+0") => Validity::Invalid.into(),
            Validator::Phone => phone::check(text).into(),
            Validator::PhoneNanp => phone::check_nanp(text).into(),
            Validator::Ipv4 => misc::ipv4(cell, start, end).into(),
            Validator::Ipv6 => misc::ipv6(cell, start, end),
            Validator::Mac => misc::mac(cell, start, end).into(),
            Validator::Email => misc::email_in(cell, start, end),
            Validator::DateOfBirth => date::check(text).into(),
            Validator::EpochDateOfBirth => date::check_epoch(text).into(),
            Validator::Username => {
                let w = text.trim().trim_start_matches('@').to_lowercase();
                if crate::detect::recall::is_common_word(&w) {
                    Validity::Invalid.into()
                } else {
                    Validity::Valid.into()
                }
            }
            Validator::Handle => {
                let b = cell.as_bytes();
                // Text before an `@handle` is a blank or an opening mark (the recall pass's
                // rule too): not a letter (an e-mail address), nor a control byte of a
                // binary place (a database's free pages).
                let opens = |c: u8| {
                    c.is_ascii_whitespace()
                        || matches!(c, b'(' | b'[' | b'{' | b'"' | b'\'' | b',' | b';' | b':')
                };
                let before = start > 0 && !opens(b[start - 1]);
                let after = b.get(end).is_some_and(|&c| {
                    c == b'@'
                        || c >= 0x80
                        || (c == b'.' && b.get(end + 1).is_some_and(u8::is_ascii_alphanumeric))
                });
                bool_check(!before && !after)
            }
            Validator::PersonName => names::check_in(cell, start, end),
            Validator::NameWords => names::name_words(text).into(),
            Validator::NameCell => names::name_cell(text).into(),
            Validator::AddressLike => misc::address_like(text).into(),
            Validator::PlaceName => misc::place_name(text).into(),
            Validator::UkNino => misc::uk_nino(text).into(),
            Validator::UkNhs => misc::uk_nhs(text).into(),
            Validator::National(id) => bool_check(id.check(text)),
        }
    }
}

fn bool_check(ok: bool) -> Check {
    if ok {
        Validity::Valid
    } else {
        Validity::Invalid
    }
    .into()
}
