//! The built-in rule files, embedded in the binary with `include_str!`.
//!
//! A registry test checks that every `.toml` file under `rules/` is listed here, so a new rule
//! file cannot be forgotten.

/// `(path under rules/, contents)` of every built-in rule file.
pub const RULE_FILES: &[(&str, &str)] = &[
    (
        "contact/email.toml",
        include_str!("../../rules/contact/email.toml"),
    ),
    (
        "contact/phone.toml",
        include_str!("../../rules/contact/phone.toml"),
    ),
    (
        "contact/username.toml",
        include_str!("../../rules/contact/username.toml"),
    ),
    (
        "network/ip.toml",
        include_str!("../../rules/network/ip.toml"),
    ),
    (
        "financial/card.toml",
        include_str!("../../rules/financial/card.toml"),
    ),
    ("gov_id/us.toml", include_str!("../../rules/gov_id/us.toml")),
    ("gov_id/uk.toml", include_str!("../../rules/gov_id/uk.toml")),
    (
        "gov_id/national.toml",
        include_str!("../../rules/gov_id/national.toml"),
    ),
    (
        "person/name.toml",
        include_str!("../../rules/person/name.toml"),
    ),
    (
        "location/address.toml",
        include_str!("../../rules/location/address.toml"),
    ),
    (
        "location/place.toml",
        include_str!("../../rules/location/place.toml"),
    ),
    (
        "demographic/demographic.toml",
        include_str!("../../rules/demographic/demographic.toml"),
    ),
    (
        "column_lookalikes.toml",
        include_str!("../../rules/column_lookalikes.toml"),
    ),
];
