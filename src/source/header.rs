//! Is a CSV file's first record its header, or its first row of data (issue 23, class 3)?
//!
//! Headerless exports are common (`COPY … TO … CSV`, `SELECT … INTO OUTFILE`, vendor dumps).
//! Read as a header, their first record is lost to the column names and every column loses
//! its context. The test compares the first record with the records below it, column by
//! column: where a column's values share a shape (numbers, dates, e-mail addresses, phone-like
//! digit groups, booleans) a first field of the same shape is evidence of data, and a word over
//! them is evidence of a header; so is a field that names a column (`email`, `first_name`,
//! `Kundennummer`…), or one written like an identifier (`customer_id`, `orderDate`). A first
//! record with no evidence either way is [`FirstRecord::Unknown`]: the reader refuses the file
//! and asks for `--header` or `--no-header` rather than guess.
//!
//! Neighbours: [`super::csv::CsvReader`] reads the records and calls [`classify`]; also the
//! Excel `sep=` line ([`excel_sep_line`]).

/// What the first record of a CSV file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstRecord {
    /// Column names.
    Header,
    /// A row of data: the file has no header.
    Data,
    /// No evidence either way.
    Unknown,
}

/// The shape of a value, for comparing a first field with the column below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Empty,
    Integer,
    Decimal,
    Date,
    Email,
    Phone,
    Bool,
    Text,
}

fn shape(v: &[u8]) -> Shape {
    let v = v.trim_ascii();
    if v.is_empty() {
        return Shape::Empty;
    }
    let lower = v.to_ascii_lowercase();
    if matches!(
        lower.as_slice(),
        b"true" | b"false" | b"t" | b"f" | b"yes" | b"no" | b"y" | b"n"
    ) {
        return Shape::Bool;
    }
    let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
    let body = v
        .strip_prefix(b"-")
        .or_else(|| v.strip_prefix(b"+"))
        .unwrap_or(v);
    if !body.is_empty() && body.iter().all(u8::is_ascii_digit) {
        return if v.len() >= 7 && v[0] == b'+' {
            Shape::Phone
        } else {
            Shape::Integer
        };
    }
    let dots = body.iter().filter(|&&b| b == b'.' || b == b',').count();
    if digits > 0
        && dots == 1
        && body
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'e' | b'E' | b'-' | b'+'))
    {
        return Shape::Decimal;
    }
    if let Some(at) = v.iter().position(|&b| b == b'@')
        && at > 0
        && v[at + 1..].contains(&b'.')
        && !v.contains(&b' ')
    {
        return Shape::Email;
    }
    let seps = v
        .iter()
        .filter(|b| matches!(b, b'-' | b'/' | b'.' | b':' | b' ' | b'T' | b'Z'))
        .count();
    if digits >= 4 && digits + seps == v.len() && v[0].is_ascii_digit() {
        // 2024-01-05, 03/15/1969, 12.07.1988, 2024-01-05T10:22:01Z
        let groups = v
            .split(|b| !b.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .count();
        if (3..=7).contains(&groups) && v.iter().any(|b| matches!(b, b'-' | b'/' | b'.')) {
            return Shape::Date;
        }
    }
    if digits >= 7
        && v.iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'(' | b')' | b'-' | b' ' | b'.'))
    {
        return Shape::Phone;
    }
    Shape::Text
}

/// Words that name columns, in the languages shroud's rules know (whole tokens of a
/// field split on `_`, `-`, space and case changes).
const HEADER_WORDS: &[&str] = &[
    "id",
    "uuid",
    "key",
    "name",
    "names",
    "first",
    "last",
    "middle",
    "full",
    "given",
    "family",
    "surname",
    "firstname",
    "lastname",
    "fullname",
    "username",
    "user",
    "login",
    "email",
    "mail",
    "e",
    "phone",
    "mobile",
    "cell",
    "tel",
    "telephone",
    "fax",
    "number",
    "no",
    "nr",
    "num",
    "code",
    "zip",
    "zipcode",
    "postcode",
    "postal",
    "plz",
    "cp",
    "cap",
    "city",
    "town",
    "country",
    "state",
    "region",
    "province",
    "county",
    "street",
    "address",
    "addr",
    "line",
    "house",
    "date",
    "time",
    "timestamp",
    "datetime",
    "created",
    "updated",
    "modified",
    "at",
    "on",
    "birth",
    "dob",
    "birthday",
    "age",
    "gender",
    "sex",
    "title",
    "amount",
    "price",
    "total",
    "sum",
    "count",
    "qty",
    "quantity",
    "value",
    "type",
    "kind",
    "status",
    "category",
    "description",
    "desc",
    "comment",
    "comments",
    "note",
    "notes",
    "text",
    "message",
    "body",
    "subject",
    "ssn",
    "iban",
    "bic",
    "swift",
    "account",
    "card",
    "credit",
    "bank",
    "ip",
    "ipaddress",
    "mac",
    "url",
    "website",
    "company",
    "organisation",
    "organization",
    "org",
    "department",
    "job",
    "role",
    "customer",
    "client",
    "order",
    "invoice",
    "sku",
    "product",
    "item",
    "version",
    "tracking",
    "currency",
    "lat",
    "lon",
    "lng",
    "latitude",
    "longitude",
    "score",
    "rating",
    "year",
    "month",
    "day",
    "week",
    "hour",
    "start",
    "end",
    "from",
    "to",
    "nombre",
    "apellido",
    "apellidos",
    "correo",
    "telefono",
    "teléfono",
    "ciudad",
    "direccion",
    "dirección",
    "fecha",
    "nacimiento",
    "vorname",
    "nachname",
    "strasse",
    "straße",
    "ort",
    "stadt",
    "telefonnummer",
    "geburtsdatum",
    "kundennummer",
    "anschrift",
    "adresse",
    "prenom",
    "prénom",
    "nom",
    "ville",
    "rue",
    "naissance",
    "courriel",
    "nome",
    "cognome",
    "città",
    "indirizzo",
    "voornaam",
    "achternaam",
    "woonplaats",
    "straat",
    "postcode",
    "geboortedatum",
    "sobrenome",
    "endereço",
    "cidade",
    "data",
    "telefone",
    "kunde",
    "kunden",
    "datum",
    "betrag",
];

/// Whether a field reads as a column name: a header word among its tokens, or an
/// identifier's spelling (`customer_id`, `orderDate`, `ORDER_NO`).
pub fn names_a_column(v: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(v.trim_ascii()) else {
        return false;
    };
    if s.is_empty()
        || s.len() > 40
        || s.contains('@')
        || s.split_whitespace().count() > 4
        || !s.starts_with(|c: char| c.is_alphabetic())
    {
        return false;
    }
    let ident = s.chars().all(|c| c.is_alphanumeric() || c == '_')
        && (s.contains('_')
            || s.char_indices().skip(1).any(|(i, c)| {
                c.is_uppercase() && s[..i].chars().last().is_some_and(char::is_lowercase)
            }));
    if ident {
        return true;
    }
    names_a_column_by_words(s)
}

/// Whether a field holds a word that names columns (`email`, `Geburtsdatum`, `first name`):
/// split on separators and lower-to-upper case changes.
pub fn names_a_column_by_words(s: &str) -> bool {
    // Split on separators and lower-to-upper case changes.
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.iter().any(|w| HEADER_WORDS.contains(&w.as_str()))
}

/// Decides what `first` is, from it and up to a few hundred `rows` below it (unescaped field
/// values).
pub fn classify(first: &[&[u8]], rows: &[Vec<&[u8]>]) -> FirstRecord {
    let mut header = 0usize;
    let mut data = 0usize;
    // A first field shaped like an address, a phone number or a date under a column of them.
    let mut strong = false;
    for (j, f) in first.iter().enumerate() {
        let column: Vec<Shape> = rows
            .iter()
            .filter_map(|r| r.get(j))
            .map(|v| shape(v))
            .filter(|s| *s != Shape::Empty)
            .collect();
        let fs = shape(f);
        if names_a_column(f) {
            header += 1;
        }
        if column.is_empty() || fs == Shape::Empty {
            continue;
        }
        // The column's dominant shape, when 90% of its values share it.
        let mut best = (Shape::Text, 0usize);
        for s in [
            Shape::Integer,
            Shape::Decimal,
            Shape::Date,
            Shape::Email,
            Shape::Phone,
            Shape::Bool,
        ] {
            let n = column.iter().filter(|&&c| c == s).count();
            if n > best.1 {
                best = (s, n);
            }
        }
        let typed = best.1 * 10 >= column.len() * 9;
        if typed {
            let same = fs == best.0
                || matches!(
                    (fs, best.0),
                    (Shape::Integer, Shape::Decimal) | (Shape::Decimal, Shape::Integer)
                );
            if same && matches!(fs, Shape::Email | Shape::Phone | Shape::Date) {
                // No header names a column with an address, a phone number or a date.
                strong = true;
            }
            if same {
                data += 1;
            } else if fs == Shape::Text {
                header += 1;
            }
        } else if fs != Shape::Text && !matches!(fs, Shape::Bool) {
            // A number or an e-mail address over a text column: data-like.
            data += usize::from(matches!(fs, Shape::Email | Shape::Phone | Shape::Date));
        }
        // A first field repeated as a value below is data (column names do not recur).
        if !rows.is_empty()
            && rows
                .iter()
                .any(|r| r.get(j).is_some_and(|v| v.trim_ascii() == f.trim_ascii()))
        {
            data += 1;
        }
    }
    if strong {
        return FirstRecord::Data;
    }
    if rows.is_empty() {
        // A file of one record: nothing to compare it with. Fields shaped like an address,
        // a phone number or a date make it data; otherwise it is read as the header (its
        // fields are judged as column names, so nothing personal passes unread).
        let shaped = first
            .iter()
            .any(|f| matches!(shape(f), Shape::Email | Shape::Phone | Shape::Date));
        return if shaped {
            FirstRecord::Data
        } else {
            FirstRecord::Header
        };
    }
    match (header > 0, data > 0) {
        (true, false) => FirstRecord::Header,
        (false, true) => FirstRecord::Data,
        (true, true) if header > data => FirstRecord::Header,
        (true, true) if data > header => FirstRecord::Data,
        // Evidence both ways in equal measure: not guessed.
        _ => FirstRecord::Unknown,
    }
}

/// Excel's dialect line: `sep=;` alone on the first line (after a byte order mark). Returns
/// the delimiter and the line's length with its line end.
pub fn excel_sep_line(head: &[u8]) -> Option<(u8, usize)> {
    if head.len() < 5 || !head[..4].eq_ignore_ascii_case(b"sep=") {
        return None;
    }
    let d = head[4];
    if d == b'\n' || d == b'\r' || d == b'"' || !d.is_ascii() {
        return None;
    }
    let rest = &head[5..];
    let end = if rest.starts_with(b"\r\n") {
        2
    } else if rest.starts_with(b"\n") || rest.starts_with(b"\r") {
        1
    } else if rest.is_empty() {
        0
    } else {
        return None;
    };
    Some((d, 5 + end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows<'a>(lines: &[&'a str]) -> Vec<Vec<&'a [u8]>> {
        lines
            .iter()
            .map(|l| l.split(',').map(str::as_bytes).collect())
            .collect()
    }

    fn first(line: &str) -> Vec<&[u8]> {
        line.split(',').map(str::as_bytes).collect()
    }

    #[test]
    fn headers_are_told_from_first_rows_of_data() {
        let body = rows(&[
            "1002,John Smith,john.smith@example.org,(415) 253-2671,1975-11-30,5.00",
            "1003,María García,maria.garcia@example.net,+49 30 901820,03/15/1969,120.50",
            "1004,Hans Müller,hans.mueller@example.com,+33 1 42 68 53 00,1988-07-12,7.25",
        ]);
        for h in [
            "customer_id,full_name,email,phone,date_of_birth,price",
            "CustomerId,FullName,EMail,Phone,DOB,Price",
            "Kundennummer,Name,E-Mail,Telefon,Geburtsdatum,Betrag",
            "c1,c2,c3,c4,c5,c6",
        ] {
            assert_eq!(classify(&first(h), &body), FirstRecord::Header, "{h}");
        }
        let data = "1001,Jane Doe,jane.doe@example.com,+44 20 7946 0958,1980-03-04,19.99";
        assert_eq!(classify(&first(data), &body), FirstRecord::Data);
        // A header word in a name does not outvote a date under a column of dates.
        let body = rows(&[
            "John Smith,Paris,1975-11-30",
            "Hans Müller,Berlin,1988-07-12",
        ]);
        assert_eq!(
            classify(&first("Mary Price,Lyon,1980-03-04"), &body),
            FirstRecord::Data
        );
    }

    #[test]
    fn text_only_tables_without_evidence_are_unknown() {
        let body = rows(&["John Smith,Paris", "Hans Müller,Berlin"]);
        assert_eq!(
            classify(&first("Jane Doe,Lyon"), &body),
            FirstRecord::Unknown
        );
        assert_eq!(classify(&first("Name,City"), &body), FirstRecord::Header);
        assert_eq!(classify(&first("Jane Doe,Paris"), &body), FirstRecord::Data);
        assert_eq!(classify(&first("Name,City"), &[]), FirstRecord::Header);
        assert_eq!(
            classify(&first("Jane Doe,1980-03-04"), &[]),
            FirstRecord::Data,
            "one record shaped like data"
        );
    }

    #[test]
    fn excel_sep_lines() {
        assert_eq!(excel_sep_line(b"sep=;\r\na;b"), Some((b';', 7)));
        assert_eq!(excel_sep_line(b"SEP=|\n"), Some((b'|', 6)));
        assert_eq!(excel_sep_line(b"sep=,"), Some((b',', 5)));
        assert_eq!(excel_sep_line(b"sep=;x\n"), None);
        assert_eq!(excel_sep_line(b"separator\n"), None);
    }
}
