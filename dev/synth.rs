//! Synthetic customer-like tables for benchmarks, `examples/gen.rs` and tests: seeded,
//! deterministic, never real. Not part of the library: included with `#[path]` where needed.
//!
//! Twenty-six columns mix personal values (names from the census dictionaries, emails under
//! reserved example domains, phones in several formats, IPv4/IPv6, Luhn-valid card numbers,
//! mod-97-valid IBANs, SSNs in valid ranges, account numbers, dates of birth, addresses,
//! postal codes, cities, genders, MAC addresses) with non-personal look-alikes (UUIDs, SKUs,
//! versions, order numbers, 16-digit tracking numbers that fail Luhn, timestamps, prices) and
//! a free-text `notes` column with personal values embedded. Rows are produced one at a time,
//! so any size can be streamed to disk.

use shroud::detect::validators::Names;

/// Column names of a synthetic table, in order.
pub const COLUMNS: &[&str] = &[
    "customer_uuid",
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "gender",
    "street_address",
    "city",
    "postal_code",
    "ssn",
    "account_number",
    "iban",
    "credit_card",
    "ip_address",
    "ipv6_address",
    "mac_address",
    "sku",
    "app_version",
    "order_number",
    "tracking_number",
    "created_at",
    "price",
    "quantity",
    "status",
    "notes",
];

/// The entity each column carries (`None` for look-alikes and free text).
pub const EXPECTED: &[Option<&str>] = &[
    None,
    Some("PERSON"),
    Some("PERSON"),
    Some("EMAIL_ADDRESS"),
    Some("PHONE_NUMBER"),
    Some("DATE_OF_BIRTH"),
    Some("GENDER"),
    Some("STREET_ADDRESS"),
    Some("LOCATION"),
    Some("POSTAL_CODE"),
    Some("US_SSN"),
    Some("ACCOUNT_NUMBER"),
    Some("IBAN_CODE"),
    Some("CREDIT_CARD"),
    Some("IP_ADDRESS"),
    Some("IP_ADDRESS"),
    Some("MAC_ADDRESS"),
    None,
    None,
    None,
    None,
    None,
    None,
    None,
    None,
    None,
];

/// SplitMix64: tiny, fast, good enough for synthetic data, identical on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// One element of a slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn digits(&mut self, n: usize, out: &mut String) {
        for _ in 0..n {
            out.push(char::from(b'0' + self.below(10) as u8));
        }
    }
}

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Margaret",
    "Donald",
    "Sandra",
    "Steven",
    "Ashley",
    "Paul",
    "Kimberly",
    "Andrew",
    "Emily",
    "Joshua",
    "Donna",
    "Kenneth",
    "Michelle",
    "Hans",
    "Pierre",
    "Giuseppe",
    "María",
    "José",
    "Anna",
    "Sofia",
    "Lucas",
    "Emma",
    "Noah",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "Müller",
    "Schmidt",
    "Dubois",
    "Rossi",
    "Janssen",
    "Bakker",
    "Fischer",
    "Weber",
    "Moreau",
    "Russo",
];
const CITIES: &[&str] = &[
    "Springfield",
    "Portland",
    "Madison",
    "Georgetown",
    "Salem",
    "Franklin",
    "Berlin",
    "München",
    "Lyon",
    "Saint-Étienne",
    "Sevilla",
    "Torino",
    "Utrecht",
    "New York",
    "San Francisco",
    "Austin",
];
const STREETS: &[&str] = &[
    "Main",
    "Oak",
    "Pine",
    "Maple",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
];
const SUFFIXES: &[&str] = &[
    "Street",
    "St",
    "Avenue",
    "Ave",
    "Road",
    "Rd",
    "Lane",
    "Drive",
    "Court",
    "Boulevard",
];
const STATUS: &[&str] = &["shipped", "pending", "delivered", "cancelled", "returned"];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
];
const NOTE_OPENERS: &[&str] = &["Customer", "Client", "Requested by", "Call back"];

/// One synthetic row generator.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: Rng,
    row: u64,
}

fn luhn_complete(prefix_and_body: &mut String) {
    let digits: Vec<u32> = prefix_and_body
        .bytes()
        .map(|b| u32::from(b - b'0'))
        .collect();
    let mut sum = 0;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = *d;
        if i % 2 == 0 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    prefix_and_body.push(char::from(b'0' + ((10 - sum % 10) % 10) as u8));
}

fn iban_complete(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    let mut rem: u32 = 0;
    for b in rearranged.bytes() {
        if b.is_ascii_digit() {
            rem = (rem * 10 + u32::from(b - b'0')) % 97;
        } else {
            rem = (rem * 100 + u32::from(b - b'A') + 10) % 97;
        }
    }
    format!("{country}{:02}{bban}", 98 - rem)
}

impl Generator {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Generator {
        // Touch the dictionaries so first-row timing is not skewed in benchmarks.
        let _ = Names::get();
        Generator {
            rng: Rng::new(seed),
            row: 0,
        }
    }

    /// Fills `out` with the next row's cells, one per [`COLUMNS`] entry.
    pub fn next_row(&mut self, out: &mut Vec<String>) {
        out.clear();
        let r = &mut self.rng;
        let first = *r.pick(FIRST);
        let last = *r.pick(LAST);
        let mut s = String::new();
        // customer_uuid
        let u = (r.next_u64(), r.next_u64());
        out.push(format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            u.0 >> 32,
            (u.0 >> 16) & 0xffff,
            u.0 & 0xfff,
            (u.1 >> 48) & 0x3fff | 0x8000,
            u.1 & 0xffff_ffff_ffff
        ));
        out.push(first.to_string());
        out.push(last.to_string());
        let local: String = format!("{}.{}{}", first, last, r.below(100))
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        out.push(format!("{local}@{}", r.pick(DOMAINS)));
        let phone = match r.below(4) {
            0 => format!(
                "({}) {}-{:04}",
                r.pick(&[212, 415, 312, 617, 206]),
                200 + r.below(700),
                r.below(10000)
            ),
            1 => format!(
                "+1 {}-{}-{:04}",
                r.pick(&[202, 305, 512, 646, 718]),
                200 + r.below(700),
                r.below(10000)
            ),
            2 => format!("+44 20 7946 {:04}", r.below(1000)),
            _ => format!("+49 30 {}", 200_000 + r.below(700_000)),
        };
        out.push(phone);
        let (y, m, d) = (1940 + r.below(65), 1 + r.below(12), 1 + r.below(28));
        out.push(match r.below(3) {
            0 => format!("{y}-{m:02}-{d:02}"),
            1 => format!("{m:02}/{d:02}/{y}"),
            _ => format!("{d:02}.{m:02}.{y}"),
        });
        out.push(
            r.pick(&["Male", "Female", "F", "M", "Non-binary"])
                .to_string(),
        );
        out.push(format!(
            "{} {} {}",
            1 + r.below(9999),
            r.pick(STREETS),
            r.pick(SUFFIXES)
        ));
        out.push(r.pick(CITIES).to_string());
        out.push(format!("{:05}", 1000 + r.below(98000)));
        let ssn = format!(
            "{:03}-{:02}-{:04}",
            1 + r.below(665),
            1 + r.below(99),
            1 + r.below(9999)
        );
        out.push(ssn.clone());
        s.clear();
        s.push(char::from(b'1' + r.below(9) as u8));
        r.digits(9, &mut s);
        out.push(s.clone());
        s.clear();
        r.digits(8, &mut s);
        let mut bban = String::from("37040044");
        r.digits(10, &mut bban);
        let iban = iban_complete("DE", &bban);
        out.push(iban.clone());
        let mut card = String::from(*r.pick(&["4", "51", "52", "55", "37", "6011"]));
        let len = if card.starts_with("37") { 15 } else { 16 };
        while card.len() < len - 1 {
            card.push(char::from(b'0' + r.below(10) as u8));
        }
        luhn_complete(&mut card);
        let card_text = if r.below(2) == 0 && len == 16 {
            format!(
                "{} {} {} {}",
                &card[0..4],
                &card[4..8],
                &card[8..12],
                &card[12..16]
            )
        } else {
            card.clone()
        };
        out.push(card_text);
        let ip = format!(
            "{}.{}.{}.{}",
            1 + r.below(223),
            r.below(256),
            r.below(256),
            1 + r.below(254)
        );
        out.push(ip.clone());
        out.push(format!(
            "2001:db8:{:x}:{:x}::{:x}",
            r.below(65536),
            r.below(65536),
            1 + r.below(65535)
        ));
        out.push(
            // A device (unicast) address: the first octet's lowest bit is clear.
            (0..6)
                .map(|i| {
                    format!(
                        "{:02x}",
                        if i == 0 {
                            r.below(256) & 0xFE
                        } else {
                            r.below(256)
                        }
                    )
                })
                .collect::<Vec<_>>()
                .join(":"),
        );
        out.push(format!(
            "SKU-{:05}-{}",
            r.below(100_000),
            r.pick(&["S", "M", "L", "XL"])
        ));
        out.push(format!("{}.{}.{}", r.below(5), r.below(30), r.below(200)));
        out.push(format!("{}", 100_000_000 + r.below(900_000_000)));
        // 16 digits that fail Luhn: complete a valid one, then bump the check digit.
        let mut track = String::from("9");
        r.digits(14, &mut track);
        luhn_complete(&mut track);
        let last_digit = track.pop().map_or(0, |c| c as u8 - b'0');
        track.push(char::from(b'0' + (last_digit + 1) % 10));
        out.push(track);
        out.push(format!(
            "2024-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            1 + r.below(12),
            1 + r.below(28),
            r.below(24),
            r.below(60),
            r.below(60)
        ));
        out.push(format!("{}.{:02}", r.below(500), r.below(100)));
        out.push(format!("{}", 1 + r.below(20)));
        out.push(r.pick(STATUS).to_string());
        let opener = *r.pick(NOTE_OPENERS);
        let other_first = *r.pick(FIRST);
        let other_last = *r.pick(LAST);
        let note = match r.below(4) {
            0 => format!(
                "{opener} {other_first} {other_last} called about order {}; reply to {local}@{}.",
                self.row, DOMAINS[0]
            ),
            1 => format!(
                "Card {card} was declined for {other_first} {other_last}, version 2.{} app.",
                r.below(9)
            ),
            2 => format!(
                "Login from {ip} flagged; SSN {ssn} on file for {other_first} {other_last}."
            ),
            _ => format!("Refund to {iban} approved, ref {}.", r.below(1_000_000)),
        };
        out.push(note);
        self.row += 1;
    }
}
