#!/usr/bin/env python3
"""Second labelled data generator: a *different company's* customer export.

shroud was tuned against gen.py. This generator deliberately shares none of
gen.py's column names, column order, value formats or note templates, so a
score on its output shows what carries over to an export shroud has not seen.

    DIR/customers.csv      26 flat columns with mixed naming conventions
                           (CustID, E-mail, Tel, Job Title, Order Ref, ...)
    DIR/customers.jsonl    contact.*, address.* and billing.* nested objects,
                           and the last IP in a list of login objects
                           (logins[].ip labelled, logins[].ts not)
    DIR/customers.parquet  flat columns; CustID int64, Birthdate date32,
                           Total decimal128(12, 2), UpdatedAt timestamp[us, UTC]
    DIR/labels.json        the expected answer, in gen.py's format
                           (columns, free_text_columns, spans; UTF-8 byte offsets)

How it differs from gen.py:

* raw Faker values where gen.py normalises: `name()` with titles and
  suffixes ("Dr.", "MBA."), `phone_number()` per locale with extensions,
  `company()`, `user_agent()`, `license_plate()`, `country()`;
* ten locales by default (adds pt_BR, pl_PL, sv_SE), national mobile formats,
  decimal-comma totals in CSV for continental rows;
* `Comments` notes written from 56 CRM/support templates of its own in six
  languages (about 60% carry personal data), with titles before names, names
  at sentence start, before commas and possessives, greetings with a first
  name alone, surnames that are English words, MAC addresses, and unlabelled
  distractors: four-part version numbers, tracking numbers, EANs, SKUs,
  amounts, dates, company, city and product names.

Everything is derived from --seed: the same seed, options and Faker version
give byte-identical files. Nothing depends on today's date.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import json
import os
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

try:
    import faker
    from faker import Faker
    from faker.providers.lorem.en_US import Provider as _EnLorem
    from faker.providers.person.en_GB import Provider as _GbPerson
    from faker.providers.person.en_US import Provider as _UsPerson
except ImportError:  # pragma: no cover - exercised only without deps
    sys.exit("gen2.py needs Faker: pip install faker pyarrow")

DEFAULT_LOCALES = "en_US,en_GB,de_DE,fr_FR,es_ES,it_IT,nl_NL,pt_BR,pl_PL,sv_SE"

# --------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    name: str  # CSV / Parquet header
    entity: str | None  # expected column verdict; None = not personal
    jsonl: str  # path in the JSON Lines file
    free_text: bool = False


# CSV / Parquet column order (a different order from gen.py's on purpose).
COLUMNS: list[Col] = [
    Col("CustID", None, "CustID"),
    Col("Surname", "PERSON", "Surname"),
    Col("GivenName", "PERSON", "GivenName"),
    Col("Name", "PERSON", "Name"),
    Col("Birthdate", "DATE_OF_BIRTH", "Birthdate"),
    Col("E-mail", "EMAIL_ADDRESS", "contact.email"),
    Col("Tel", "PHONE_NUMBER", "contact.tel"),
    Col("Mobile", "PHONE_NUMBER", "contact.mobile"),
    Col("Address", "STREET_ADDRESS", "address.street"),
    Col("Postcode", "POSTAL_CODE", "address.postcode"),
    Col("Town", "LOCATION", "address.town"),
    Col("Region", None, "address.region"),
    Col("Country", "LOCATION", "address.country"),
    Col("Employer", None, "Employer"),
    Col("Job Title", None, "Job Title"),
    Col("Comments", None, "Comments", free_text=True),
    Col("SSN", "US_SSN", "SSN"),
    Col("Card", "CREDIT_CARD", "billing.card"),
    Col("Card Expiry", None, "billing.expiry"),
    Col("IBAN", "IBAN_CODE", "billing.iban"),
    Col("Plate", None, "Plate"),
    Col("Order Ref", None, "Order Ref"),
    Col("Total", None, "billing.total"),
    Col("LastIP", "IP_ADDRESS", "logins[].ip"),
    Col("UserAgent", None, "UserAgent"),
    Col("UpdatedAt", None, "UpdatedAt"),
]
assert len(COLUMNS) == 26
# JSONL only: the second field of each login object.
LOGIN_TS = "logins[].ts"
NOTES = "Comments"

# Timestamps and dates are drawn from fixed windows, never from "today".
UPDATED_FROM = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
UPDATED_SPAN_S = 546 * 86400

# --------------------------------------------------------------------------
# Value helpers
# --------------------------------------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
CONTINENTAL = {"de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "pl_PL", "sv_SE"}
SPACE_THOUSANDS = {"fr_FR", "pl_PL", "sv_SE"}  # 1 234,50 rather than 1.234,50

# Mobile numbers per locale: country code and (prefix, digits to add) choices
# that real numbering plans allocate to mobiles.
MOBILE: dict[str, tuple[str, list[tuple[str, int]]]] = {
    "en_US": ("1", []),  # NANP, see nanp()
    "en_GB": ("44", [("74", 8), ("75", 8), ("77", 8), ("78", 8), ("79", 8)]),
    "de_DE": ("49", [("151", 8), ("160", 7), ("162", 7), ("172", 7), ("176", 8), ("179", 7)]),
    "fr_FR": ("33", [("6", 8), ("7", 8)]),
    "es_ES": ("34", [("6", 8), ("71", 7), ("72", 7)]),
    "it_IT": ("39", [("328", 7), ("335", 7), ("340", 7), ("366", 7), ("393", 7)]),
    "nl_NL": ("31", [("61", 7), ("63", 7), ("64", 7), ("65", 7)]),
    "pt_BR": ("55", []),  # DDD + 9 + 8 digits, see mobile_nsn()
    "pl_PL": ("48", [("50", 7), ("51", 7), ("53", 7), ("60", 7), ("69", 7), ("72", 7), ("79", 7), ("88", 7)]),
    "sv_SE": ("46", [("70", 7), ("72", 7), ("73", 7), ("76", 7), ("79", 7)]),
}
NANP_AREAS = ["205", "210", "214", "267", "310", "314", "347", "402", "412", "469",
              "480", "510", "571", "614", "678", "720", "763", "804", "856", "954"]
BR_DDD = ["11", "12", "19", "21", "27", "31", "41", "47", "48", "51", "61", "62",
          "71", "81", "85", "91", "92", "98"]


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def nanp(rng: random.Random) -> str:
    """Ten NANP digits: area code, exchange 2-9xx (not N11, not 555), line."""
    while True:
        ex = str(rng.randint(2, 9)) + digits(rng, 2)
        if ex[1:] != "11" and ex != "555":
            return rng.choice(NANP_AREAS) + ex + digits(rng, 4)


def mobile_nsn(rng: random.Random, locale: str) -> tuple[str, str, str]:
    """(locale used, country code, national significant number)."""
    if locale not in MOBILE:
        locale = "en_US"
    cc, pats = MOBILE[locale]
    if locale == "en_US":
        return locale, cc, nanp(rng)
    if locale == "pt_BR":
        return locale, cc, rng.choice(BR_DDD) + "9" + digits(rng, 8)
    prefix, n = rng.choice(pats)
    return locale, cc, prefix + digits(rng, n)


def national(locale: str, n: str) -> str:
    """The number as dialled inside its country, in that country's usual layout."""
    if locale == "en_US":
        return f"({n[:3]}) {n[3:6]}-{n[6:]}"
    if locale == "en_GB":
        return f"0{n[:4]} {n[4:]}"
    if locale == "de_DE":
        return f"0{n[:3]} {n[3:]}"
    if locale == "fr_FR":
        z = "0" + n
        return " ".join(z[i : i + 2] for i in range(0, 10, 2))
    if locale == "es_ES":
        return f"{n[:3]} {n[3:5]} {n[5:7]} {n[7:]}"
    if locale == "it_IT":
        return f"{n[:3]} {n[3:6]} {n[6:]}"
    if locale == "nl_NL":
        return f"0{n[:1]}-{n[1:]}"
    if locale == "pt_BR":
        return f"({n[:2]}) {n[2:7]}-{n[7:]}"
    if locale == "pl_PL":
        return f"{n[:3]} {n[3:6]} {n[6:]}"
    if locale == "sv_SE":
        return f"0{n[:2]}-{n[2:5]} {n[5:7]} {n[7:]}"
    raise ValueError(locale)


def intl_spaced(locale: str, cc: str, n: str) -> str:
    """'+44 7712 345678', '+33 6 12 34 56 78', '+55 11 91234-5678', ..."""
    nat = national(locale, n).replace("(", "").replace(")", "")
    if locale != "en_US":
        nat = nat.removeprefix("0")
    return f"+{cc} {nat}"


def mobile_column(rng: random.Random, locale: str) -> str:
    loc, cc, n = mobile_nsn(rng, locale)
    return f"+{cc}{n}" if rng.random() < 0.5 else national(loc, n)


def mobile_text(rng: random.Random, locale: str) -> str:
    loc, cc, n = mobile_nsn(rng, locale)
    kind = rng.randrange(3)
    if kind == 0:
        return f"+{cc}{n}"
    if kind == 1:
        return intl_spaced(loc, cc, n)
    return national(loc, n)


def group_card(rng: random.Random, number: str) -> str:
    """Plain half the time, else grouped as printed on the card, with space or dash:
    16/19 digits in fours, Amex 4-6-5, Diners 4-6-4 (other lengths stay plain)."""
    grouped = rng.random() >= 0.5
    sep = rng.choice([" ", " ", "-"])
    n = len(number)
    if not grouped or n not in (14, 15, 16, 19):
        return number
    if n in (14, 15):
        parts = [number[:4], number[4:10], number[10:]]
    else:
        parts = [number[i : i + 4] for i in range(0, n, 4)]
    return sep.join(parts)


def group_iban(rng: random.Random, iban: str) -> str:
    return iban if rng.random() < 0.5 else " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def birthdate_text(rng: random.Random, d: dt.date) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return d.isoformat()
    if kind == 1:
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    return f"{MONTHS[d.month - 1]} {d.day:02d}, {d.year}"


def total_text(locale: str, amount: decimal.Decimal) -> str:
    """CSV text of Total: 1,234.50 for English rows; 1.234,50 or 1 234,50 elsewhere."""
    s = f"{amount:,.2f}"  # 1,234.50
    if locale not in CONTINENTAL:
        return s
    thousands = " " if locale in SPACE_THOUSANDS else "."
    return s.replace(",", "\0").replace(".", ",").replace("\0", thousands)


def ip_value(rng: random.Random, fk: Faker) -> str:
    r = rng.random()
    if r < 0.5:
        return fk.ipv4_public()
    if r < 0.7:
        return fk.ipv4_private()
    return fk.ipv6()


def mac_value(rng: random.Random, fk: Faker) -> str:
    mac = fk.mac_address()
    r = rng.random()
    if r < 0.5:
        return mac
    if r < 0.8:
        return mac.upper()
    return mac.upper().replace(":", "-")


def one_line(s: str) -> str:
    """Faker's en_GB addresses can span lines and es_ES ones end in a space."""
    return s.replace("\n", ", ").strip()


# --- distractors ------------------------------------------------------------

PRODUCTS = [
    "Aurora desk lamp", "Nimbus 14 Pro laptop", "TrailMate 35L backpack", "KX-200 kettle",
    "SoundLoop earbuds", "Vela standing desk", "Orbit smart plug", "Halcyon air purifier",
    "Fjord rain jacket", "Pixel Frame 10", "Atlas router AX3000", "Cumulus duvet (king)",
    "Sprout kids' bike", "Ember 2 heated mug", "Quill fountain pen", "Tundra 5 cooler box",
]
CURRENCY_FMT = ["€{c}", "EUR {c}", "{c} €", "${d}", "USD {d}", "£{d}", "R$ {c}", "{c} zł", "{c} kr", "CHF {d}"]


def version4(rng: random.Random) -> str:
    """Four-part build number; often every part <= 255, so it looks like an IPv4 address."""
    last = rng.randint(1, 254) if rng.random() < 0.8 else rng.randint(1000, 9999)
    return f"{rng.randint(1, 30)}.{rng.randint(0, 12)}.{rng.randint(0, 99)}.{last}"


def version3(rng: random.Random) -> str:
    return f"{rng.randint(1, 19)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}"


def order_ref(rng: random.Random) -> str:
    return f"PO-{rng.randint(2021, 2025)}-{rng.randint(1, 99999):05d}"


def ticket(rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return f"INC{rng.randint(0, 9999999):07d}"
    if kind == 1:
        return f"CS-{rng.randint(10000, 99999)}"
    return f"#{rng.randint(100000, 999999)}"


def tracking(rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:  # UPS-like
        alnum = "ABCDEFGHJKLMNPRSTUVWXY0123456789"
        return "1Z" + "".join(rng.choice(alnum) for _ in range(6)) + digits(rng, 10)
    if kind == 1:  # DHL-like
        return "JJD" + digits(rng, 18)
    return str(rng.randint(1, 9)) + digits(rng, 9)  # 10 digits, as DHL Express prints them


def ean13(rng: random.Random) -> str:
    body = str(rng.randint(400, 440)) + digits(rng, 9)
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
    return body + str((10 - s % 10) % 10)


def sku(rng: random.Random) -> str:
    col = rng.choice(["BLK", "WHT", "RD", "NVY", "GRN", "GRY"])
    if rng.random() < 0.5:
        return f"ART-{rng.randint(10000, 99999)}-{col}"
    return f"{rng.randint(1000, 9999)}-{rng.randint(10, 99)}-{col}"


def amount(rng: random.Random) -> str:
    value = decimal.Decimal(rng.randint(100, 250000)) / 100
    dot = f"{value:,.2f}"
    comma = dot.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return rng.choice(CURRENCY_FMT).format(c=comma, d=dot)


def other_date(rng: random.Random) -> str:
    d = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
    kind = rng.randrange(5)
    if kind == 0:
        return d.isoformat()
    if kind == 1:
        return d.strftime("%d.%m.%Y")
    if kind == 2:
        return d.strftime("%d/%m/%Y")
    if kind == 3:
        return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    return f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}"


# --------------------------------------------------------------------------
# Comments: templates with labelled slots
# --------------------------------------------------------------------------
# Slots are {name} or {name#2}: '#n' asks for a second, different value of
# the same kind; the same slot used twice in one template repeats its value.
# Slots in SLOT_ENTITY are labelled (the slot's text only, so "Mr. {last}"
# labels the surname, not the title); all other slots are distractors.

SLOT_ENTITY = {
    "full": "PERSON", "first": "PERSON", "last": "PERSON", "wordname": "PERSON",
    "email": "EMAIL_ADDRESS", "tel": "PHONE_NUMBER", "mobile": "PHONE_NUMBER",
    "card": "CREDIT_CARD", "iban": "IBAN_CODE", "ssn": "US_SSN",
    "ip": "IP_ADDRESS", "ipv4": "IP_ADDRESS", "ipv6": "IP_ADDRESS",
    "street": "STREET_ADDRESS", "mac": "MAC_ADDRESS",
}
DISTRACTOR_SLOTS = {"company", "city", "product", "ver4", "ver", "order", "ticket", "tracking",
                    "amount", "date", "sku", "ean", "qty", "custid", "expiry"}

# Notes that carry personal data (picked for about 60% of rows).
PII_TEMPLATES = [
    # English
    "Spoke with Mr. {last} re: {order}; he wants the invoice sent to {email}.",
    "Spoke with Mrs. {last} on {date}, callback requested on {tel}.",
    "{full} called about a double charge of {amount} on card {card}. Refund approved.",
    "{first} confirmed the new delivery address: {street}, {city}.",
    "Hi {first}, thanks for reaching out! Your ticket {ticket} has been escalated to billing.",
    "Per {full}, invoices for {company} should go to ({email}) from now on.",
    "Customer {wordname} asked us to stop calling {tel} after 6pm.",
    "Spoke to {wordname} about the {product} return; label emailed.",
    "Dr. {full} disputed a charge on {card}, case {ticket} opened.",
    "Account locked after logins from {ip} and {ip#2}; looked like credential stuffing.",
    "Refund of {amount} to be wired to {iban} (account holder: {full}).",
    "SSN on file ({ssn}) does not match the one {first} gave on the phone.",
    "Identity check passed: SSN {ssn}, address {street}.",
    "Device MAC {mac} registered for {full}; router firmware updated to {ver4}.",
    "Please call {full} back on {tel} - prefers mornings.",
    "{last}, {first} - duplicate profile merged into customer {custid}.",
    "Email bounced: {email}. Customer {full}, mobile {mobile}, asked us to retry.",
    "Ms. {last} says parcel {tracking} never arrived at {street}.",
    "Wrong number on file: {tel}; correct one is {mobile} (per {first}).",
    "Card {card} expired; {first} will send the new one via <{email}>.",
    "Suspicious login from {ipv6} (client build {ver4}); reset link sent to {email}.",
    "Installer at {street} reports MAC {mac} not whitelisted, ticket {ticket}.",
    "Thanks {first}! We've updated your billing IBAN to {iban}.",
    "Prof. {last} from {company} requested a quote for {qty} x {product}.",
    "Left voicemail for {first} at {tel}. Will try again tomorrow.",
    "Ticket {ticket}: {full} reports the {product} stopped charging after update to {ver4}. Contact: {email}",
    "New card on file for Mx. {last}: {card} (exp {expiry}).",
    "VPN logs show {full} connected from {ipv4} and later from {ipv6}.",
    "Reverted {first}'s address change; {street} restored.",
    "Chargeback on {company}'s corporate card {card}; {full} in finance says it is legit.",
    # German
    "Herr {last} hat angerufen, Rückruf bitte unter {tel}. Bestellung {order}.",
    "Frau {full} bittet um Erstattung von {amount} auf IBAN {iban}.",
    "Hallo {first}, Ihre Lieferadresse wurde auf {street} geändert.",
    # French
    "Mme {last} a appelé au {tel} ; elle souhaite recevoir la facture à {email}.",
    "Bonjour {first}, votre carte {card} a été débitée de {amount} le {date}.",
    # Spanish
    "El cliente {full} llamó desde el {tel} por el pedido {order}.",
    "Hola {first}, hemos recibido tu solicitud (ref. {ticket}); escríbenos a {email} si necesitas algo.",
    # Dutch
    "Dhr. {last} belde over factuur {order}; terugbellen op {mobile}.",
    "Hoi {first}, je IBAN {iban} is bijgewerkt.",
    # Portuguese
    "O cliente {full} pediu reembolso de {amount}; contato: {email}, {tel}.",
    "Olá {first}, seu pedido {order} foi enviado para {street}.",
]

# Notes without personal data: only distractors.
PLAIN_TEMPLATES = [
    "Client app updated to {ver4} without issues.",
    "Customer on build {ver4}; asked to upgrade to release {ver4#2}.",
    "{order} shipped, tracking {tracking}.",
    "Replaced {product} (EAN {ean}) under warranty, SKU {sku}.",
    "Invoice {order} of {amount} paid on {date}.",
    "Escalated to the {company} account team, ticket {ticket}.",
    "Delivery to the {city} depot delayed by {qty} days.",
    "Firmware v{ver4} rolled back; case {ticket} closed on {date}.",
    "Mobile app v{ver} crashes on start; forwarded to QA with {qty} screenshots.",
    "Price match approved: {product} now {amount} (was {amount#2}).",
    "Kunde meldet Fehler nach Update auf {ver4}; Ticket {ticket}.",
    "Commande {order} livrée le {date}, montant {amount}.",
    "Pedido {order}: {qty} unidades de {product} enviadas desde {city}.",
    "Levering van {product} naar {city} gepland op {date}.",
    "Pedido {order} cancelado; reembolso de {amount} em {date}.",
]
PII_SHARE = 0.6
SLOT = re.compile(r"\{([a-z][a-z0-9]*)(#\d)?\}")

for _t in PII_TEMPLATES + PLAIN_TEMPLATES:  # catch typos at import time
    for _m in SLOT.finditer(_t):
        assert _m.group(1) in SLOT_ENTITY or _m.group(1) in DISTRACTOR_SLOTS, (_t, _m.group(1))
    assert not re.search(r"[{}]", SLOT.sub("", _t)), _t
    assert any(m.group(1) in SLOT_ENTITY for m in SLOT.finditer(_t)) == (_t in PII_TEMPLATES), _t

# English-word surnames Faker's en_US / en_GB name lists really contain.
_WORDISH = (
    "Archer Armstrong Baker Ball Banks Barber Bell Best Bird Bishop Black Bond Booth Bridges Brooks "
    "Brown Bull Burns Bush Butler Carpenter Carter Case Chambers Chase Church Cole Cook Cross Dale Day "
    "Dean Field Fields Fisher Flowers Ford Fox Frost Gardner Glass Golden Good Grant Gray Green Hall "
    "Hardy Hart Heath Hill Holland Hope House Hunt Hunter Key King Knight Lamb Lane Law Little Long "
    "Lord Love Marsh Marshall Mason May Miles Mills Moon Nash Noble North Page Park Pope Power Price "
    "Read Reed Rice Rich Rose Savage Sharp Short Small Snow Sparks Stone Strong Summers Walker Wall "
    "Ward Watts Weaver Webb West White Winter Wise Wolf Wood Woods Young"
).split()
_FAKER_LAST = set(_UsPerson.last_names) | set(_GbPerson.last_names)
_LOREM = {w.capitalize() for w in _EnLorem.word_list}
WORD_SURNAMES = sorted((set(_WORDISH) | _LOREM) & _FAKER_LAST)


@dataclass
class Row:
    locale: str
    values: dict[str, object] = field(default_factory=dict)
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)  # (ip, ts) for JSONL


class Generator:
    def __init__(self, seed: int, locales: list[str], null_rate: float):
        # str seeds are hashed with SHA-512 by random.seed: independent of PYTHONHASHSEED.
        self.rng = random.Random(f"shroud-gen2:{seed}")
        self.null_rate = null_rate
        self.locales = locales
        self.fakers: dict[str, Faker] = {}
        for i, loc in enumerate(locales):
            fk = Faker(loc)
            fk.seed_instance(seed * 1000 + 100 + i)  # gen.py's scheme, other offsets
            self.fakers[loc] = fk
        self.us = Faker("en_US")  # SSNs, and first names for English-word surnames
        self.us.seed_instance(seed * 1000 + 998)

    # --- free text ---------------------------------------------------------

    def slot_value(self, kind: str, locale: str, fk: Faker) -> str:
        rng = self.rng
        if kind == "first":
            return fk.first_name()
        if kind == "last":
            return fk.last_name()
        if kind == "full":
            first, last = fk.first_name(), fk.last_name()
            if locale == "es_ES" and rng.random() < 0.6:  # two surnames
                last += " " + fk.last_name()
            return f"{first} {last}"
        if kind == "wordname":
            return f"{self.us.first_name()} {rng.choice(WORD_SURNAMES)}"
        if kind == "email":
            return fk.email() if rng.random() < 0.7 else fk.company_email()
        if kind == "tel":
            return fk.phone_number()
        if kind == "mobile":
            return mobile_text(rng, locale)
        if kind == "card":
            return group_card(rng, fk.credit_card_number())
        if kind == "iban":
            return group_iban(rng, fk.iban())
        if kind == "ssn":
            return self.us.ssn()
        if kind == "ip":
            return ip_value(rng, fk)
        if kind == "ipv4":
            return fk.ipv4_public() if rng.random() < 0.7 else fk.ipv4_private()
        if kind == "ipv6":
            return fk.ipv6()
        if kind == "street":
            return one_line(fk.street_address())
        if kind == "mac":
            return mac_value(rng, fk)
        # distractors
        if kind == "company":
            return fk.company()
        if kind == "city":
            return fk.city()
        if kind == "product":
            return rng.choice(PRODUCTS)
        if kind == "ver4":
            return version4(rng)
        if kind == "ver":
            return version3(rng)
        if kind == "order":
            return order_ref(rng) if rng.random() < 0.6 else f"SO{rng.randint(100000, 9999999)}"
        if kind == "ticket":
            return ticket(rng)
        if kind == "tracking":
            return tracking(rng)
        if kind == "amount":
            return amount(rng)
        if kind == "date":
            return other_date(rng)
        if kind == "sku":
            return sku(rng)
        if kind == "ean":
            return ean13(rng)
        if kind == "qty":
            return str(rng.randint(2, 40))
        if kind == "custid":
            return str(rng.randint(100000, 9999999))
        if kind == "expiry":
            return f"{rng.randint(1, 12):02d}/{rng.randint(25, 31)}"
        raise KeyError(kind)

    def note(self, locale: str, fk: Faker) -> tuple[str, list[tuple[int, int, str]]]:
        pii = self.rng.random() < PII_SHARE
        template = self.rng.choice(PII_TEMPLATES if pii else PLAIN_TEMPLATES)
        cache: dict[str, str] = {}
        out = bytearray()
        spans = []
        pos = 0
        for m in SLOT.finditer(template):
            out += template[pos : m.start()].encode("utf-8")
            kind, key = m.group(1), m.group(0)
            if key not in cache:
                cache[key] = self.slot_value(kind, locale, fk)
            start = len(out)
            out += cache[key].encode("utf-8")
            if kind in SLOT_ENTITY:
                spans.append((start, len(out), SLOT_ENTITY[kind]))
            pos = m.end()
        out += template[pos:].encode("utf-8")
        return out.decode("utf-8"), spans

    # --- one row -----------------------------------------------------------

    def row(self, index: int) -> Row:
        rng = self.rng
        locale = rng.choice(self.locales)
        fk = self.fakers[locale]

        surname = fk.last_name()
        if locale == "es_ES" and rng.random() < 0.6:
            surname += " " + fk.last_name()
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 24105))  # .. 2005-12-31
        updated = UPDATED_FROM + dt.timedelta(seconds=rng.randint(0, UPDATED_SPAN_S),
                                              milliseconds=rng.randint(0, 999))
        total = decimal.Decimal(rng.randint(500, 999999)) / 100 if rng.random() < 0.8 else \
            decimal.Decimal(rng.randint(100, 9999)) / 100

        v: dict[str, object] = {
            "CustID": 100000 + index * 7 + rng.randint(0, 6),
            "Surname": surname,
            "GivenName": fk.first_name(),
            "Name": fk.name(),
            "Birthdate": born,
            "E-mail": fk.free_email() if rng.random() < 0.5 else fk.email(),
            "Tel": fk.phone_number(),
            "Mobile": mobile_column(rng, locale),
            "Address": one_line(fk.street_address()),
            "Postcode": fk.postcode(),
            "Town": fk.city(),
            "Region": fk.administrative_unit(),
            "Country": fk.country(),
            "Employer": fk.company(),
            "Job Title": fk.job(),
            "SSN": self.us.ssn(),
            "Card": fk.credit_card_number(),
            "Card Expiry": f"{rng.randint(1, 12):02d}/{rng.randint(25, 31)}",
            "IBAN": group_iban(rng, fk.iban()),
            "Plate": fk.license_plate(),
            "Order Ref": order_ref(rng),
            "Total": total,
            "LastIP": ip_value(rng, fk),
            "UserAgent": fk.user_agent(),
            "UpdatedAt": updated,
        }
        text, spans = self.note(locale, fk)
        v["Comments"] = text
        birth_text = birthdate_text(rng, born)

        # Earlier logins for JSONL: the last one is LastIP.
        n_more = rng.randrange(3)
        logins = []
        t = updated
        for _ in range(n_more):
            t -= dt.timedelta(seconds=rng.randint(3600, 40 * 86400))
            logins.append((ip_value(rng, fk), t))
        logins.reverse()

        # Missing values are decided last so they do not shift the values above.
        nulls = {c.name for c in COLUMNS if c.name != "CustID" and rng.random() < self.null_rate}
        for name in nulls:
            v[name] = None
        row = Row(locale=locale, values=v, spans=[] if v["Comments"] is None else spans)
        row.values["_birth_text"] = None if v["Birthdate"] is None else birth_text
        if v["LastIP"] is not None:
            logins.append((v["LastIP"], updated))  # type: ignore[arg-type]
            row.logins = [(ip, ts_text(ts)) for ip, ts in logins]
        return row


def ts_text(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds")  # 2024-03-05T14:22:01.123+00:00


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------


def cell_text(r: Row, name: str) -> str | None:
    """A cell as text, as CSV holds it."""
    v = r.values[name]
    if v is None:
        return None
    if name == "Birthdate":
        return r.values["_birth_text"]  # type: ignore[return-value]
    if name == "Total":
        return total_text(r.locale, v)  # type: ignore[arg-type]
    if name == "UpdatedAt":
        return ts_text(v)  # type: ignore[arg-type]
    return str(v)


def write_csv(path: Path, rows: list[Row]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\r\n")  # a different line ending from gen.py, too
        w.writerow([c.name for c in COLUMNS])
        for r in rows:
            w.writerow(["" if (t := cell_text(r, c.name)) is None else t for c in COLUMNS])


def jsonl_record(r: Row) -> dict:
    rec: dict = {}
    for c in COLUMNS:
        v = r.values[c.name]
        if c.name == "LastIP":
            rec["logins"] = [{"ip": ip, "ts": ts} for ip, ts in r.logins]
            continue
        if v is None:
            out = None
        elif c.name == "CustID":
            out = v
        elif c.name == "Total":
            out = float(v)  # type: ignore[arg-type]
        elif c.name == "Birthdate":
            out = r.values["_birth_text"]
        else:
            out = cell_text(r, c.name)
        *parents, leaf = c.jsonl.split(".")
        obj = rec
        for p in parents:
            obj = obj.setdefault(p, {})
        obj[leaf] = out
    return rec


def write_jsonl(path: Path, rows: list[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write(json.dumps(jsonl_record(r), ensure_ascii=False) + "\n")


def write_parquet(path: Path, rows: list[Row]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    native = {
        "CustID": pa.int64(),
        "Birthdate": pa.date32(),
        "Total": pa.decimal128(12, 2),
        "UpdatedAt": pa.timestamp("us", tz="UTC"),
    }
    arrays, fields = [], []
    for c in COLUMNS:
        typ = native.get(c.name, pa.string())
        if c.name in native:
            data = [r.values[c.name] for r in rows]
        else:
            data = [cell_text(r, c.name) for r in rows]
        arrays.append(pa.array(data, type=typ))
        fields.append(pa.field(c.name, typ))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    pq.write_table(table, path, compression="zstd", write_statistics=True)


# --------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------


def labels_for(fmt: str, rows: list[Row]) -> dict:
    cols: dict[str, str | None] = {}
    free: list[str] = []
    for c in COLUMNS:
        name = c.jsonl if fmt == "jsonl" else c.name
        cols[name] = c.entity
        if fmt == "jsonl" and c.name == "LastIP":
            cols[LOGIN_TS] = None
        if c.free_text:
            free.append(name)
    spans = [
        {"row": i, "column": NOTES, "start": s, "end": e, "entity": ent}
        for i, r in enumerate(rows)
        for (s, e, ent) in r.spans
    ]
    return {"file": f"customers.{fmt}", "columns": cols, "free_text_columns": free, "spans": spans}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--rows", type=int, default=20000, help="number of rows (default 20000)")
    ap.add_argument("--locales", default=DEFAULT_LOCALES, help=f"comma-separated Faker locales (default {DEFAULT_LOCALES})")
    ap.add_argument("--null-rate", type=float, default=0.03, help="probability a cell is missing (default 0.03)")
    ap.add_argument("--formats", default="csv,jsonl,parquet", help="formats to write (default all three)")
    ap.add_argument("--out", required=True, type=Path, help="output directory")
    ap.add_argument("--header-style", choices=["native"], default="native",
                    help="accepted for run.sh / closed_loop.py; gen2's headers have one fixed, mixed style")
    args = ap.parse_args(argv)

    locales = [l.strip() for l in args.locales.split(",") if l.strip()]
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = set(formats) - {"csv", "jsonl", "parquet"}
    if unknown:
        ap.error(f"unknown format(s): {', '.join(sorted(unknown))}")

    gen = Generator(args.seed, locales, args.null_rate)
    rows = [gen.row(i) for i in range(args.rows)]

    args.out.mkdir(parents=True, exist_ok=True)
    writers = {"csv": write_csv, "jsonl": write_jsonl, "parquet": write_parquet}
    labels: dict = {
        "generator": "scripts/eval/gen2.py",
        "faker_version": faker.VERSION,
        "seed": args.seed,
        "rows": args.rows,
        "locales": locales,
        "header_style": "native",
        "null_rate": args.null_rate,
    }
    for fmt in formats:
        writers[fmt](args.out / f"customers.{fmt}", rows)
        labels[fmt] = labels_for(fmt, rows)
    with (args.out / "labels.json").open("w", encoding="utf-8") as fh:
        json.dump(labels, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    print(f"wrote {args.rows} rows ({', '.join(formats)}) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    # Some Faker locale data is built from Python sets, so its order depends on
    # string hashing: pin the hash seed by re-executing once (as gen.py does).
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])
    sys.exit(main())
