//! Long-format (entity-attribute-value) tables (issue 23, class 5): `user_id, meta_key,
//! meta_value` (WordPress' usermeta, CRM and survey exports), and JSON objects of the form
//! `{"key": …, "value": …}`. The key is the header of its value: a value column mixes first
//! names, birth dates, postcodes and bank accounts, and judged as one column none of them
//! has context. So the readers name each value after its key: the cell of `meta_value` in a
//! row whose `meta_key` is `first_name` is a cell of the column `meta_value.first_name`, with
//! that column's hints, verdict and operator, and the writers put it back in its own field.
//!
//! The pairing is syntactic and per record, so every pass and every command names the same
//! columns: a key field (`key`, `meta_key`, `attribute`, `field_name`, `property`, `kind`,
//! `type`…) and a value field (`value`, `meta_value`, `answer`, `number`, `address`…) side by
//! side, and a key that reads as a field name (a word or identifier of at most 64
//! characters): a contact list `[{"kind": "phone", "value": "030 901820"}]` is long format
//! too.
//!
//! Neighbours: the CSV reader ([`super::csv`]) and the JSON walk ([`super::json::walk`]).

fn lower_eq_any(name: &str, list: &[&str]) -> bool {
    list.iter().any(|l| name.eq_ignore_ascii_case(l))
}

fn ends_with_ci(name: &str, suffix: &str) -> bool {
    name.len() > suffix.len()
        && name.is_char_boundary(name.len() - suffix.len())
        && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// Whether a field's name says it holds keys.
pub fn is_key_field(name: &str) -> bool {
    name.len() <= 32
        && !is_value_field(name)
        && (lower_eq_any(
            name,
            &[
                "key",
                "k",
                "metakey",
                "attribute",
                "attr",
                "field",
                "property",
                "prop",
                "param",
                "parameter",
                "variable",
                "attribute_name",
                "field_name",
                "property_name",
                "key_name",
                "param_name",
                "variable_name",
                // Contact lists: `{"kind": "phone", "value": …}`, `{"type": "mobile",
                // "number": …}`.
                "kind",
                "type",
                "channel",
            ],
        ) || [
            "_key",
            "-key",
            "_attribute",
            "_field",
            "_property",
            "_type",
            "_kind",
        ]
        .iter()
        .any(|s| ends_with_ci(name, s)))
}

/// Whether a field's name says it holds the values of keys.
pub fn is_value_field(name: &str) -> bool {
    name.len() <= 32
        && (lower_eq_any(
            name,
            &[
                "value",
                "v",
                "val",
                "metavalue",
                "answer",
                "response",
                "content",
                "number",
                "address",
                "handle",
            ],
        ) || ["_value", "-value", "_val", "_answer"]
            .iter()
            .any(|s| ends_with_ci(name, s)))
}

/// The key and value fields of a record or header, by position: the first key field, and the
/// value field that shares its prefix (`meta_key`/`meta_value`), else the first value field.
pub fn pair<'a>(names: impl Iterator<Item = &'a str> + Clone) -> Option<(usize, usize)> {
    let key = names.clone().position(is_key_field)?;
    let key_name = names.clone().nth(key)?;
    let prefix = |n: &str| -> String {
        let l = n.to_ascii_lowercase();
        l.rsplit_once(['_', '-'])
            .map_or(String::new(), |(p, _)| p.to_string())
    };
    let kp = prefix(key_name);
    let mut first = None;
    for (i, n) in names.enumerate() {
        if i != key && is_value_field(n) {
            if prefix(n) == kp {
                return Some((key, i));
            }
            first.get_or_insert(i);
        }
    }
    first.map(|v| (key, v))
}

/// Long format told by its values, for files whose header does not say it (or that have
/// none): a column whose cells all name columns (`first_name`, `billing_email`, `Telefon`),
/// drawn from a few distinct keys, is the key column, and the column after it holds the
/// values. `rows` are the first records' fields.
pub fn pair_by_values(rows: &[Vec<&[u8]>]) -> Option<(usize, usize)> {
    if rows.len() < 4 {
        return None;
    }
    let width = rows.iter().map(Vec::len).max()?;
    for k in 0..width.saturating_sub(1) {
        let mut keys = std::collections::HashSet::new();
        let (mut n, mut worded) = (0usize, 0usize);
        let all = rows.iter().all(|r| match r.get(k) {
            Some(v) if !v.is_empty() => {
                n += 1;
                keys.insert(*v);
                let name = key_name(v);
                // shroud's tokens (`person_3a03…`) are values, never keys.
                let token = crate::transform::token::inside_token(v, 0, v.len());
                worded += usize::from(name.is_some_and(super::header::names_a_column_by_words));
                name.is_some() && !token
            }
            _ => true,
        });
        // Every key names a field; most hold a word that names columns (`first_name`,
        // `billing_email`), a few may not (`nickname`, `show_admin_bar_front`).
        if all && n >= 4 && worded * 5 >= n * 4 && keys.len() >= 2 && keys.len() * 2 <= n {
            return Some((k, k + 1));
        }
    }
    None
}

/// The key as a column name, when it reads as one: a word that names a column
/// (`Telefon`, `Billing Email`), or an identifier (`first_name`, `billingPhone`,
/// `show_admin_bar_front`: ASCII, a letter first, no space, and an `_`, `-`, `.`, `:` or a
/// lower-case start). A key that reads as data (`Jane Doe`) is not a name: its value stays in
/// the value column, and no value becomes a column name.
pub fn key_name(key: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(key).ok()?.trim();
    if s.is_empty() || s.len() > 64 || !s.starts_with(char::is_alphabetic) {
        return None;
    }
    let identifier = s
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':'))
        && (s.bytes().any(|c| matches!(c, b'_' | b'-' | b'.' | b':'))
            || s.starts_with(|c: char| c.is_ascii_lowercase()));
    (identifier || super::header::names_a_column(s.as_bytes())).then_some(s)
}

/// Distinct keys a file's long format names columns after; past them, values stay in the
/// value column (a table of a million distinct keys is not long format).
pub const MAX_KEYS: usize = 256;

/// The column a value is judged in: `meta_value.first_name`.
pub fn column(value_column: &str, key: &str) -> String {
    format!("{value_column}.{key}")
}

/// A long-format table's columns as a reader names them: the key and value columns' ids,
/// and the id of each key's virtual column (`meta_value.first_name`) by the key as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    /// The key column's id.
    pub key: u32,
    /// The value column's id.
    pub value: u32,
    /// Virtual column ids by key bytes.
    pub ids: std::collections::HashMap<Vec<u8>, u32>,
}

impl Split {
    /// Learns a long-format table's keys (as its key column holds them, in a fixed order:
    /// both passes must give each the same id) and names a virtual column after each one
    /// that reads as a field name ([`key_name`]), appended to `columns`, at most
    /// [`MAX_KEYS`]; shroud's tokens are values, never keys. `None` when no key names one.
    pub fn learn<'k>(
        key: u32,
        value: u32,
        keys: impl IntoIterator<Item = &'k [u8]>,
        rows: u64,
        columns: &mut Vec<String>,
    ) -> Option<Split> {
        let value_name = columns.get(value as usize)?.clone();
        let keys: Vec<&[u8]> = keys.into_iter().collect();
        // A key per row (`user0`, `user1`…) is a key-value store of data, not long format:
        // keys repeat, at least twice on average.
        if keys.is_empty() || keys.len() as u64 * 2 > rows {
            return None;
        }
        let mut split = Split {
            key,
            value,
            ids: std::collections::HashMap::new(),
        };
        let mut by_name: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        for bytes in keys {
            if split.ids.contains_key(bytes) {
                continue;
            }
            let Some(name) = key_name(bytes) else {
                continue;
            };
            if crate::transform::token::inside_token(bytes, 0, bytes.len()) {
                continue;
            }
            let column = self::column(&value_name, name);
            let id = match by_name.get(&column) {
                Some(&id) => id,
                None if by_name.len() >= MAX_KEYS => continue,
                None => {
                    let id = columns.len() as u32;
                    columns.push(column.clone());
                    by_name.insert(column, id);
                    id
                }
            };
            split.ids.insert(bytes.to_vec(), id);
        }
        (!split.ids.is_empty()).then_some(split)
    }

    /// Whether `col` is one of the value column's virtual columns.
    pub fn is_virtual(&self, col: u32) -> bool {
        self.ids.values().any(|&i| i == col)
    }

    /// Moves each cell of the value column whose row's key names a virtual column into that
    /// column; cells without a named key stay. Columns stay in id order.
    pub fn apply(&self, batch: &mut super::Batch) {
        let Some(vpos) = batch.columns.iter().position(|c| c.col == self.value) else {
            return;
        };
        let mut key_of: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
        if let Some(k) = batch.columns.iter().find(|c| c.col == self.key) {
            for (row, bytes) in k.iter() {
                if let Some(&id) = self.ids.get(bytes) {
                    key_of.insert(row, id);
                }
            }
        }
        if key_of.is_empty() {
            return;
        }
        let old = std::mem::take(&mut batch.columns[vpos]);
        let mut kept = super::ColumnCells {
            col: old.col,
            ..Default::default()
        };
        let mut moved: std::collections::BTreeMap<u32, super::ColumnCells> =
            std::collections::BTreeMap::new();
        for (row, bytes) in old.iter() {
            match key_of.get(&row) {
                Some(&id) => moved
                    .entry(id)
                    .or_insert_with(|| super::ColumnCells {
                        col: id,
                        ..Default::default()
                    })
                    .push(row, bytes),
                None => kept.push(row, bytes),
            }
        }
        batch.columns[vpos] = kept;
        batch.columns.retain(|c| !c.cells.is_empty());
        batch.columns.extend(moved.into_values());
        batch.columns.sort_by_key(|c| c.col);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_and_value_fields_pair() {
        let h = ["umeta_id", "user_id", "meta_key", "meta_value"];
        assert_eq!(pair(h.iter().copied()), Some((2, 3)));
        let h = ["id", "key", "value"];
        assert_eq!(pair(h.iter().copied()), Some((1, 2)));
        // A person's name next to a value is not a key.
        let h = ["name", "value"];
        assert_eq!(pair(h.iter().copied()), None);
        let h = [
            "attribute_name",
            "attribute_value",
            "setting_key",
            "setting_value",
        ];
        assert_eq!(pair(h.iter().copied()), Some((0, 1)));
        for h in [
            &["customer_id", "full_name", "email", "price"][..],
            &["first_name", "last_name"][..],
            &["monkey", "value"][..],
        ] {
            assert_eq!(pair(h.iter().copied()), None, "{h:?}");
        }
    }

    #[test]
    fn long_format_is_told_by_its_values() {
        let rows: Vec<Vec<&[u8]>> = [
            ["1", "first_name", "Jane"],
            ["1", "email", "jane.doe@example.com"],
            ["1", "birth_date", "1980-03-04"],
            ["2", "first_name", "John"],
            ["2", "email", "john.smith@example.org"],
            ["2", "birth_date", "1975-11-30"],
        ]
        .iter()
        .map(|r| r.iter().map(|v| v.as_bytes()).collect())
        .collect();
        assert_eq!(pair_by_values(&rows), Some((1, 2)));
        let wide: Vec<Vec<&[u8]>> = [
            ["1", "Jane Doe", "shipped"],
            ["2", "John Smith", "pending"],
            ["3", "Ann Lee", "shipped"],
            ["4", "Bo Chan", "pending"],
        ]
        .iter()
        .map(|r| r.iter().map(|v| v.as_bytes()).collect())
        .collect();
        assert_eq!(pair_by_values(&wide), None);
        // A pseudonymized name column repeats tokens: not keys.
        let tokens: Vec<Vec<&[u8]>> = [
            ["person_3a03b374d553aede", "Paris"],
            ["person_4d9e4d851a72194f", "Lyon"],
            ["person_3a03b374d553aede", "Paris"],
            ["person_4d9e4d851a72194f", "Lyon"],
        ]
        .iter()
        .map(|r| r.iter().map(|v| v.as_bytes()).collect())
        .collect();
        assert_eq!(pair_by_values(&tokens), None);
    }

    #[test]
    fn keys_read_as_column_names() {
        assert_eq!(key_name(b"first_name"), Some("first_name"));
        assert_eq!(key_name(b"Billing Email"), Some("Billing Email"));
        assert_eq!(key_name(b"billingPhone"), Some("billingPhone"));
        assert_eq!(key_name(b"Jane Doe"), None);
        assert_eq!(key_name(b"Jane"), None);
        assert_eq!(key_name(b"jane@example.com"), None);
        assert_eq!(key_name(b"42"), None);
        assert_eq!(key_name(b""), None);
    }
}
