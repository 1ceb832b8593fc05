"""The demo scenario: four investigations along the E4 and E6 that share phones and hotels,
and, on request, a generated background of a few hundred more.

Names, numbers and places are invented. The shape follows the police reports in
``shared/context``: escort adverts, hotels and short-term rentals in towns along the European
highways, victims moved between cities, a Joint Investigation Team with Romania.

``write_scenario(directory)`` writes the hand-made core: four cases whose links the tests and the
guided demo rely on. ``write_scenario(directory, rows=20000, seed=1)`` writes the same core plus
a synthetic background of about ``rows`` rows in all nine files (see :class:`_Generator`):
operations in every police region and at Noa, controller networks whose persons and phones
recur across normal, restricted and covert cases, victims moved along the E-roads, buyers,
escort adverts, hotels, stays and call records, written in the messy but valid spellings real
exports have. The background never uses the core's case ids, phones, persons, addresses or
hotels, so the core's story stays as it is. The same rows and seed give byte-identical files.
"""

from __future__ import annotations

import csv
import unicodedata
import zlib
from bisect import bisect
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from pathlib import Path
from random import Random

from ingest import normalise

CASES = [
    # case_id, title, unit, opened, classification, crime, jit, contact
    ("K-2024-0113", "Koppleri vid hotell längs E4, Jönköping", "Polisregion Öst, människohandelsgruppen",
     "2024-03-11", "normal", "procuring", "", "Insp. Lena Berg, 010-563 11 13"),
    ("K-2024-0287", "Köp av sexuell tjänst, insatsvecka Helsingborg", "Polisregion Syd, ingripande",
     "2024-09-02", "normal", "sex purchase", "", "Insp. Omar Said, 010-563 22 87"),
    ("K-2024-0342", "Människohandel för sexuella ändamål, JIT Rumänien", "Noa, nationella operativa avdelningen",
     "2024-10-21", "restricted", "trafficking", "JIT-RO-SE-2024-07", "Kriminalinsp. Eva Lind, 010-563 33 42"),
    ("K-2025-0019", "Människohandel, korttidsuthyrning Sundsvall", "Polisregion Nord, underrättelse",
     "2025-01-14", "covert", "trafficking", "", "Underrättelsesektionen Nord"),
]

PERSONS = [
    # case_id, person_ref, name, birth_date, nationality, national_id, role, source
    ("K-2024-0113", "P1", "Andrei Popescu", "1987-05-14", "RO", "", "suspect", "A-2024-0113-01"),
    ("K-2024-0113", "P2", "Maria Ionescu", "1999-02-03", "RO", "", "victim", "A-2024-0113-02"),
    ("K-2024-0113", "P3", "Johan Karlsson", "1971-11-30", "SE", "197111309876", "buyer", "A-2024-0113-05"),
    ("K-2024-0287", "A", "Mikael Nyström", "1980-08-19", "SE", "198008191234", "buyer", "A-2024-0287-11"),
    ("K-2024-0287", "B", "Maria Ionescu", "1999-02-03", "RO", "", "victim", "A-2024-0287-12"),
    ("K-2024-0342", "S1", "Andrei Popescu", "1987-05-14", "RO", "", "suspect", "JIT-07-FR-001"),
    ("K-2024-0342", "S2", "Florin Dumitru", "1990-07-22", "RO", "", "suspect", "JIT-07-FR-002"),
    ("K-2024-0342", "V1", "Blessing Okafor", "2001-12-09", "NG", "", "victim", "JIT-07-FR-003"),
    ("K-2025-0019", "X1", "Florin Dumitru", "1990-07-22", "RO", "", "suspect", "UND-N-2025-004"),
    ("K-2025-0019", "X2", "Aleksandra Nowak", "1998-04-17", "PL", "", "victim", "UND-N-2025-005"),
]

PHONES = [
    # case_id, number, person_ref, country_hint, first_seen, last_seen, source
    ("K-2024-0113", "070-123 45 67", "P1", "SE", "2024-02-01", "2024-03-10", "A-2024-0113-01"),
    ("K-2024-0113", "+40 721 555 010", "P2", "", "2024-02-20", "", "A-2024-0113-02"),
    ("K-2024-0287", "+46 70 123 45 67", "", "", "2024-08-28", "2024-09-02", "A-2024-0287-11"),
    ("K-2024-0287", "0046735551212", "A", "", "", "", "A-2024-0287-11"),
    ("K-2024-0342", "0046701234567", "S1", "", "2024-06-01", "", "JIT-07-FR-001"),
    ("K-2024-0342", "+40 744 123 987", "S2", "", "", "", "JIT-07-FR-002"),
    ("K-2025-0019", "+40 744 123 987", "X1", "", "2024-12-01", "", "UND-N-2025-004"),
    ("K-2025-0019", "+48 512 345 678", "X2", "", "", "", "UND-N-2025-005"),
]

ADDRESSES = [
    # case_id, street, postcode, city, country, person_ref, kind, source
    ("K-2024-0113", "Västra Storgatan 12", "553 15", "Jönköping", "SE", "P1", "residence", "A-2024-0113-01"),
    ("K-2024-0342", "Västra Storg. 12", "55315", "Jönköping", "SE", "S1", "residence", "JIT-07-FR-001"),
    ("K-2024-0342", "Strada Lipscani 21", "030031", "București", "RO", "S2", "residence", "JIT-07-FR-002"),
    ("K-2025-0019", "Norra vägen 4", "852 30", "Sundsvall", "SE", "X2", "incident", "UND-N-2025-005"),
]

HOTELS = [
    # case_id, hotel_name, street, postcode, city, country, source
    ("K-2024-0113", "Hotell Vättern", "Strandvägen 3", "553 20", "Jönköping", "SE", "A-2024-0113-03"),
    ("K-2024-0287", "Hotel Øresund", "Järnvägsgatan 9", "252 24", "Helsingborg", "SE", "A-2024-0287-14"),
    ("K-2024-0342", "Hotell Vättern", "Strandvägen 3", "553 20", "Jönköping", "SE", "JIT-07-FR-010"),
    ("K-2025-0019", "Hotell Norrland", "", "", "Sundsvall", "SE", "UND-N-2025-006"),
]

STAYS = [
    # case_id, person_ref, hotel_name, city, country, check_in, check_out, room, source
    ("K-2024-0113", "P2", "Hotell Vättern", "Jönköping", "SE", "2024-02-20", "2024-02-23", "214", "A-2024-0113-03"),
    ("K-2024-0342", "V1", "Hotell Vättern", "Jönköping", "SE", "2024-06-11T15:00", "2024-06-14", "112", "JIT-07-FR-010"),
    ("K-2025-0019", "X2", "Hotell Norrland", "Sundsvall", "SE", "2024-12-03", "2024-12-05", "", "UND-N-2025-006"),
]

CALLS = [
    # case_id, from_number, to_number, first_call, last_call, count, source
    ("K-2024-0113", "070-123 45 67", "+40 721 555 010", "2024-02-01", "2024-03-09", "41", "TEL-0113-01"),
    ("K-2024-0342", "0046701234567", "+40 744 123 987", "2024-06-01", "2024-09-30", "128", "JIT-07-TEL-01"),
]

ADVERTS = [
    # case_id, advert_id, site, url, posted, city, number, source
    ("K-2024-0113", "88412", "www.escort-example.se", "https://www.escort-example.se/a/88412", "2024-02-18",
     "Jönköping", "+40 721 555 010", "A-2024-0113-04"),
    ("K-2024-0287", "90177", "escort-example.se", "https://escort-example.se/a/90177", "2024-08-27",
     "Helsingborg", "070 123 45 67", "A-2024-0287-13"),
]

ASSOCIATIONS = [
    # case_id, person_ref_a, person_ref_b, kind, source
    ("K-2024-0113", "P1", "P2", "controller", "A-2024-0113-01"),
    ("K-2024-0342", "S1", "S2", "co-offender", "JIT-07-FR-004"),
]

#: Demo memberships by role: the investigator sees two cases and will get hits on the others.
MEMBERSHIPS = {
    "investigator": {"K-2024-0113": "owner", "K-2024-0287": "read"},
    "analyst": {"K-2024-0113": "read", "K-2024-0342": "read"},
}

FILES = {
    "cases.csv": (("case_id", "title", "unit", "opened", "classification", "crime", "jit", "contact"), CASES),
    "persons.csv": (("case_id", "person_ref", "name", "birth_date", "nationality", "national_id",
                     "role", "source"), PERSONS),
    "phones.csv": (("case_id", "number", "person_ref", "country_hint", "first_seen", "last_seen",
                    "source"), PHONES),
    "addresses.csv": (("case_id", "street", "postcode", "city", "country", "person_ref", "kind",
                       "source"), ADDRESSES),
    "hotels.csv": (("case_id", "hotel_name", "street", "postcode", "city", "country", "source"), HOTELS),
    "stays.csv": (("case_id", "person_ref", "hotel_name", "city", "country", "check_in", "check_out",
                   "room", "source"), STAYS),
    "calls.csv": (("case_id", "from_number", "to_number", "first_call", "last_call", "count", "source"),
                  CALLS),
    "adverts.csv": (("case_id", "advert_id", "site", "url", "posted", "city", "number", "source"), ADVERTS),
    "associations.csv": (("case_id", "person_ref_a", "person_ref_b", "kind", "source"), ASSOCIATIONS),
}


#: The file written with a byte order mark when a background is generated (DESIGN.md 4 allows one).
BOM_FILE = "stays.csv"


def write_scenario(directory: Path, rows: int = 0, seed: int = 1) -> Path:
    """Write the scenario's CSV files into ``directory`` and return it.

    With ``rows`` 0 (the default) only the hand-made core is written, exactly as it always was.
    With ``rows`` N > 0 the core is followed, in each file, by a generated background so that
    the nine files hold about N data rows in all; ``seed`` picks the background (the same
    ``rows`` and ``seed`` give byte-identical files). Rows are streamed to disk as they are
    made: memory stays flat whatever N.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if rows <= 0:
        for name, (header, core_rows) in FILES.items():
            with (directory / name).open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                writer.writerows(core_rows)
        return directory
    with ExitStack() as stack:
        writers = {}
        for name, (header, core_rows) in FILES.items():
            encoding = "utf-8-sig" if name == BOM_FILE else "utf-8"
            fh = stack.enter_context((directory / name).open(
                "w", newline="", encoding=encoding, buffering=1 << 20))
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(core_rows)
            writers[name] = writer
        _Generator(_plan(rows, seed), writers, seed).run()
    return directory


def memberships(rows: int = 0, seed: int = 1) -> dict[str, dict[str, str]]:
    """Demo memberships by role for ``write_scenario(directory, rows, seed)``.

    The core's :data:`MEMBERSHIPS` plus, for a generated background, the investigator's own
    region's cases (Polisregion Öst, normal and restricted; never covert ones, which they
    should only meet as hits) and, for the analyst, read access to Noa's and the JIT cases
    that are not covert.
    """
    result = {role: dict(cases) for role, cases in MEMBERSHIPS.items()}
    if rows <= 0:
        return result
    plan = _plan(rows, seed)
    rng = Random(f"casegraph-demo/{seed}/{rows}/members")  # seeded: a reproducible demo, no secret  # nosec B311
    investigator, analyst = result["investigator"], result["analyst"]
    for case in plan.cases:
        if case.classification == "covert":
            continue
        if case.region == "Öst" and case.unit_region == "Öst":
            r = rng.random()
            investigator[case.case_id] = "owner" if r < 0.15 else "edit" if r < 0.5 else "read"
        if case.unit_region == "Noa" or case.jit:
            analyst[case.case_id] = "read"
    return result


# =============================================================================================
# The generated background
# =============================================================================================
#
# Everything below is reference data (towns, names, hotels, sites) and the generator. All names,
# numbers, addresses, hotels and sites are invented; the towns and police regions are real.
#
# Uniqueness without memory: persons, phones and advert ids are drawn from their spaces through a
# keyed permutation (a small Feistel network), so that two draws never give the same phone, the
# same national id or the same name and birth date unless the scenario means them to. Nothing
# grows with the number of rows but counters; what is kept per case is dropped after the case.

#: Town: (name, police region, polisområde, postcode prefixes, weight)
_TOWNS = (
    ("Malmö", "Syd", "Malmö", ("211", "212", "214", "215", "217"), 8),
    ("Lund", "Syd", "Södra Skåne", ("222", "223", "224"), 3),
    ("Helsingborg", "Syd", "Nordvästra Skåne", ("252", "253", "254"), 5),
    ("Kristianstad", "Syd", "Nordöstra Skåne", ("291",), 1.5),
    ("Karlskrona", "Syd", "Blekinge", ("371",), 1),
    ("Kalmar", "Syd", "Kalmar län", ("392",), 1.5),
    ("Växjö", "Syd", "Kronoberg", ("352",), 1.5),
    ("Halmstad", "Väst", "Halland", ("302",), 2),
    ("Göteborg", "Väst", "Storgöteborg", ("411", "412", "413", "414", "415", "416", "417"), 10),
    ("Uddevalla", "Väst", "Fyrbodal", ("451",), 1.5),
    ("Borås", "Väst", "Älvsborg", ("503", "504", "506"), 2),
    ("Skövde", "Väst", "Skaraborg", ("541",), 1.5),
    ("Jönköping", "Öst", "Jönköpings län", ("553", "554", "556"), 4),
    ("Linköping", "Öst", "Östergötland", ("582", "583", "584", "587"), 4),
    ("Norrköping", "Öst", "Östergötland", ("602", "603"), 4),
    ("Nyköping", "Öst", "Södermanland", ("611",), 1.5),
    ("Eskilstuna", "Öst", "Södermanland", ("632", "633"), 2.5),
    ("Södertälje", "Stockholm", "Stockholm syd", ("151", "152"), 3),
    ("Stockholm", "Stockholm", "Stockholm city", ("111", "112", "113", "114", "116", "118"), 14),
    ("Märsta", "Stockholm", "Stockholm nord", ("195",), 1.5),
    ("Uppsala", "Mitt", "Uppsala län", ("752", "753", "754"), 4),
    ("Västerås", "Mitt", "Västmanland", ("722", "723", "724"), 3.5),
    ("Gävle", "Mitt", "Gävleborg", ("802", "803", "806"), 3),
    ("Hudiksvall", "Mitt", "Gävleborg", ("824",), 1),
    ("Örebro", "Bergslagen", "Örebro län", ("702", "703"), 3.5),
    ("Karlstad", "Bergslagen", "Värmland", ("652", "653"), 3),
    ("Borlänge", "Bergslagen", "Dalarna", ("784",), 1.5),
    ("Sundsvall", "Nord", "Västernorrland", ("852", "853"), 2.5),
    ("Östersund", "Nord", "Jämtland", ("831",), 1.5),
    ("Umeå", "Nord", "Västerbotten", ("903", "904"), 3),
    ("Luleå", "Nord", "Norrbotten", ("972", "973"), 2.5),
)
_TOWN_INDEX = {t[0]: i for i, t in enumerate(_TOWNS)}

#: Roads in driving order, with the weight of networks working along them.
_ROADS = {
    "E4": (("Helsingborg", "Jönköping", "Linköping", "Norrköping", "Nyköping", "Södertälje", "Stockholm",
            "Märsta", "Uppsala", "Gävle", "Hudiksvall", "Sundsvall", "Umeå", "Luleå"), 36),
    "E6": (("Malmö", "Lund", "Helsingborg", "Halmstad", "Göteborg", "Uddevalla"), 22),
    "E18": (("Stockholm", "Västerås", "Örebro", "Karlstad"), 10),
    "E20": (("Göteborg", "Skövde", "Örebro", "Eskilstuna", "Södertälje", "Stockholm"), 14),
    "E22": (("Malmö", "Lund", "Kristianstad", "Karlskrona", "Kalmar", "Norrköping"), 8),
    "E14": (("Sundsvall", "Östersund"), 2),
    "E16": (("Gävle", "Borlänge"), 2),
    "riksväg 40": (("Göteborg", "Borås", "Jönköping"), 6),
}

_REGIONS = ("Nord", "Mitt", "Stockholm", "Öst", "Väst", "Syd", "Bergslagen")
_REGION_CODES = {"Nord": "N", "Mitt": "M", "Stockholm": "STHLM", "Öst": "O", "Väst": "V", "Syd": "S",
                 "Bergslagen": "B", "Noa": "NOA"}
_REGION_UNITS = ("människohandelsgruppen", "regional utredningsenhet", "ingripande", "grova brott",
                 "utredningssektionen", "lokalpolisområde {town}")
_NOA_UNITS = ("Noa, nationella operativa avdelningen", "Noa, människohandelsgruppen",
              "Noa, nationella enheten mot människohandel", "Noa, internationella enheten")
_OPERATIONS = ("Tärnan", "Nattljus", "Vägkrog", "Fyrbåken", "Ormvråken", "Lodjuret", "Blåsippan",
               "Hägern", "Sjöfallet", "Nattvakten", "Snöstorm", "Kompassen", "Mistral", "Gryning",
               "Ankaret", "Skymning", "Järnet", "Polstjärnan", "Vinterväg", "Falken")

#: Crime: (share of cases, share in a network, rows weight, (normal, restricted) classification
#: thresholds; the rest covert, pace of new victims, buyers and extra facts)
_CRIMES = {
    "sex purchase": (45, 0.45, 1.3, (0.93, 0.99), (0.16, 0.62)),
    "procuring": (30, 0.80, 0.9, (0.80, 0.96), (0.24, 0.26)),
    "trafficking": (25, 0.92, 1.0, (0.50, 0.85), (0.24, 0.10)),
}

# -- names ------------------------------------------------------------------------------------
# Per country: female first names, male first names, surnames ("male/female" where the surname
# has a female form). Hungarian names are written family name first. None of the core's
# surnames occurs, so that no background record is ever taken for a core person.

_NAMES = {
    "SE": (
        "Anna Eva Maria Karin Sara Lena Emma Kristina Elin Hanna Johanna Linnéa Malin Sofia Ida Jenny "
        "Camilla Therese Frida Louise Josefin Matilda Ebba Agnes Moa Amanda Sanna Petra Helena Annika "
        "Ulrika Åsa Ingrid Birgitta Cecilia Madeleine Nathalie Rebecka Tove Jessica Lisa Caroline",
        "Anders Björn Christer Daniel Erik Fredrik Gustav Henrik Jonas Jörgen Kent Lars Magnus Mats "
        "Niklas Ola Patrik Per Peter Rickard Robert Stefan Thomas Tobias Ulf Åke Göran Kjell Leif Bengt "
        "Håkan Mattias Marcus Oskar Viktor Simon Emil Jesper Joakim Kristoffer Martin Sebastian Andreas "
        "Johan Mikael Hans Roger Tommy Lennart Sven Olof Kenneth Ronny Jimmy Conny Dennis Rasmus Linus "
        "Anton Alexander Filip Hampus Axel Ludvig Pontus Krister Torbjörn Rolf Jan Bo Roland Stig "
        "Bertil Gunnar Ingemar Arne Lars-Erik Karl-Johan Per-Olof",
        "Andersson Johansson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Pettersson "
        "Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Olofsson Lindström "
        "Lindqvist Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren Lundqvist Mattsson Berglund "
        "Fredriksson Sandberg Henriksson Forsberg Sjöberg Wallin Engström Eklund Danielsson Lundin "
        "Håkansson Björk Bergman Gunnarsson Holm Wikström Samuelsson Isaksson Fransson Bergqvist "
        "Nyberg Holmberg Arvidsson Löfgren Söderberg Nyman Blom Claesson Mårtensson Nordström "
        "Lundström Pålsson Björklund Eliasson Berggren Sandström Nordin Ström Åberg Ekström Holmgren "
        "Hedlund Dahlberg Hellström Sundberg Sjögren Ek Blomqvist Abrahamsson Martinsson Öberg "
        "Andreasson Strömberg Månsson Åkesson Sundqvist Hermansson Ivarsson Dahl Falk Nordlund Öhman "
        "Lund Björkman Hedberg Åström Norberg Englund Lindholm Nordqvist Sundström Strand Lindblom "
        "Viklund Ekman Lindahl Sjöström Boman Hedström Grönlund Forslund Åhlund",
    ),
    "RO": (
        "Ana Andreea Alexandra Elena Ioana Mihaela Cristina Gabriela Daniela Adriana Roxana Alina "
        "Simona Florentina Nicoleta Georgiana Bianca Denisa Larisa Raluca Ramona Claudia Loredana Anca "
        "Diana Iulia Ștefania Mădălina Cătălina Teodora Oana Irina Lavinia Camelia Corina Luminița "
        "Violeta Ionela Carmen",
        "Ion Gheorghe Vasile Constantin Mihai Alexandru Adrian Marian Cristian Daniel Ionuț Bogdan "
        "Cosmin Marius Sorin Liviu Gabriel Nicolae Ștefan Costel Viorel Dorin Cătălin Valentin Lucian "
        "Ovidiu Răzvan Sebastian Emil Petru Remus Doru Claudiu Dragoș Sergiu",
        "Popa Radu Stan Stoica Munteanu Matei Marin Lungu Ciobanu Rusu Moldovan Dinu Tudor Florea Barbu "
        "Nistor Ene Toma Dobre Gheorghiu Zamfir Sârbu Cristea Ungureanu Preda Neagu Voicu Lazăr Dragomir "
        "Stănescu Constantinescu Georgescu Vasilescu Niculescu Marinescu Diaconu Mocanu Stanciu Oprea "
        "Badea Pârvu Anghel Enache Rădulescu",
    ),
    "NG": (
        "Blessing Joy Precious Favour Gift Peace Mercy Faith Esther Grace Patience Success Osas Esohe "
        "Osarugue Ivie Efe Omoze Happiness Vivian Gloria Comfort Loveth Princess Endurance Ruth "
        "Victoria Cynthia Janet Rita Glory Oghogho Ewere Itohan",
        "Osagie Osaro Efosa Uyi Emeka Chinedu Ikechukwu Uche Sunday Monday Godwin Kingsley Lucky "
        "Destiny Prince Samuel Emmanuel Festus Collins Nosa Ehis Osamudiamen Friday Ifeanyi",
        "Igbinedion Omoregie Obaseki Ehigiator Osaghae Aigbe Idahosa Ogbebor Iyamu Okoro Eze Nwosu "
        "Okonkwo Adeyemi Ogunleye Uwaifo Ekhator Erhabor Aghedo Oviawe Okunbor Osamede Iyoha "
        "Edosomwan Omorogbe Ighodaro Asemota Evbuomwan Agbonlahor Osayande",
    ),
    "PL": (
        "Anna Katarzyna Małgorzata Agnieszka Magdalena Joanna Monika Karolina Justyna Natalia Paulina "
        "Marta Ewelina Dominika Sylwia Patrycja Weronika Żaneta Kinga Beata Izabela Edyta",
        "Piotr Krzysztof Tomasz Paweł Marcin Michał Łukasz Grzegorz Dariusz Mariusz Sebastian Kamil "
        "Rafał Adrian Jarosław Wojciech Zbigniew Artur",
        "Kowalski/Kowalska Wiśniewski/Wiśniewska Wójcik Kowalczyk Kamiński/Kamińska "
        "Lewandowski/Lewandowska Zieliński/Zielińska Szymański/Szymańska Woźniak Dąbrowski/Dąbrowska "
        "Kozłowski/Kozłowska Jankowski/Jankowska Mazur Krawczyk Piotrowski/Piotrowska "
        "Grabowski/Grabowska Pawlak Michalski/Michalska Król Wieczorek Jabłoński/Jabłońska Wróbel "
        "Majewski/Majewska Olszewski/Olszewska Stępień",
    ),
    "SK": (
        "Zuzana Lucia Martina Veronika Jana Monika Simona Petra Lenka Michaela Katarína Ivana Andrea "
        "Dominika Natália Gabriela Barbora Mária Denisa",
        "Marek Peter Martin Tomáš Jozef Ján Milan Roman Lukáš Michal Juraj Dušan Ladislav Štefan",
        "Horváth/Horváthová Kováč/Kováčová Varga/Vargová Tóth/Tóthová Nagy/Nagyová Baláž/Balážová "
        "Molnár/Molnárová Lukáč/Lukáčová Oláh/Oláhová Kollár/Kollárová Gažo/Gažová Rigo/Rigová "
        "Šarközi/Šarköziová Bystrický/Bystrická Polák/Poláková Lacko/Lacková",
    ),
    "RU": (
        "Olga Natalia Tatiana Yulia Ekaterina Svetlana Irina Anastasia Elena Marina Oksana Ksenia Daria "
        "Viktoria Alina Polina Yana Valeria Ludmila Galina",
        "Aleksandr Sergei Dmitri Andrei Alexei Nikolai Yuri Mikhail Vladimir Igor Maxim Evgeny Oleg "
        "Roman Artyom Denis",
        "Ivanov/Ivanova Smirnov/Smirnova Kuznetsov/Kuznetsova Popov/Popova Vasiliev/Vasilieva "
        "Petrov/Petrova Sokolov/Sokolova Mikhailov/Mikhailova Novikov/Novikova Fedorov/Fedorova "
        "Morozov/Morozova Volkov/Volkova Alekseev/Alekseeva Lebedev/Lebedeva Kozlov/Kozlova "
        "Egorov/Egorova Orlov/Orlova Zaitsev/Zaitseva",
    ),
    "UA": (
        "Oksana Olena Iryna Yuliia Tetiana Nataliia Kateryna Anastasiia Viktoriia Khrystyna Halyna "
        "Mariia Sofiia Alina Daryna",
        "Oleksandr Andrii Serhii Dmytro Volodymyr Mykola Yurii Vasyl Taras Bohdan Oleh Ihor Maksym",
        "Shevchenko Kovalenko Bondarenko Tkachenko Kravchenko Oliinyk Shevchuk Koval Polishchuk Melnyk "
        "Boiko Tkachuk Savchenko Marchenko Rudenko Moroz Lysenko Petrenko Klymenko Pavlenko",
    ),
    "TH": (
        "Siriporn Nattaya Pornpimol Kanya Malee Wanida Sukanya Jintana Rattana Somying Naree Anong "
        "Busaba Lamai Duangjai Pimchanok Supaporn Kanokwan Chutima Thanyarat Wilaiwan Arunee",
        "Somchai Somsak Prasert Anan Chaiwat Wichai Surachai Thanakorn Kittisak Nattapong",
        "Srisuk Wongsakul Saelim Chaiyaphum Thongchai Boonmee Rattanakorn Sukprasert Phromma Kaewkham "
        "Inthawong Saengthong Phanthong Janthong Suwannarat Khamphiw Sombat Charoenrat Thongdee Yodkaew",
    ),
    "BG": (
        "Maria Ivanka Desislava Gergana Petya Tsvetelina Yordanka Radostina Silvia Nikoleta Vanya "
        "Galina Kristina Stefka Mariana Denitsa Emiliya Teodora Viktoria",
        "Georgi Dimitar Ivan Nikolay Hristo Stoyan Petar Angel Todor Kiril Yordan Plamen Asen Krasimir "
        "Valentin Lyubomir",
        "Ivanov/Ivanova Georgiev/Georgieva Dimitrov/Dimitrova Petrov/Petrova Nikolov/Nikolova "
        "Hristov/Hristova Stoyanov/Stoyanova Todorov/Todorova Iliev/Ilieva Atanasov/Atanasova "
        "Angelov/Angelova Yordanov/Yordanova Kostov/Kostova Marinov/Marinova Asenov/Asenova "
        "Kolev/Koleva Mitev/Miteva Petkov/Petkova",
    ),
    "HU": (
        "Anita Krisztina Erika Szilvia Mónika Tímea Renáta Nikolett Brigitta Dóra Eszter Kitti Zsófia "
        "Viktória Andrea Edina Beáta Ildikó",
        "László Zoltán Attila Gábor Tibor Sándor István Csaba Ferenc József Norbert Roland Dániel",
        "Nagy Kovács Tóth Szabó Horváth Varga Kiss Molnár Németh Farkas Balogh Papp Takács Juhász "
        "Lakatos Oláh Rácz Mészáros Bogdán Sárközi",
    ),
    "LT": (
        "Jurgita Rasa Inga Kristina Aušra Vaida Laura Rūta Giedrė Simona Eglė Ieva Agnė Indrė Justina "
        "Gintarė",
        "Tomas Mindaugas Darius Andrius Paulius Vytautas Aurimas Marius Linas Saulius Deividas",
        "Kazlauskas/Kazlauskaitė Jankauskas/Jankauskaitė Petrauskas/Petrauskaitė "
        "Stankevičius/Stankevičiūtė Vasiliauskas/Vasiliauskaitė Žukauskas/Žukauskaitė Butkus/Butkutė "
        "Paulauskas/Paulauskaitė Urbonas/Urbonaitė Kavaliauskas/Kavaliauskaitė Navickas/Navickaitė "
        "Ramanauskas/Ramanauskaitė",
    ),
    "AL": (
        "Anisa Elona Klea Ornela Jonida Mirela Ersa Fjorela Arjola Denada",
        "Arben Besnik Gentian Ilir Dritan Fatmir Agron Artan Ermal Klodian Erion Altin Blerim Florian",
        "Hoxha Shehu Dervishi Kola Leka Gjoka Basha Berisha Krasniqi Hysa Marku Çela Prifti Muça Dedja "
        "Gashi Kelmendi",
    ),
}

#: Other spellings of one name that do not fold alike: transliteration from Cyrillic or Thai,
#: Hungarian or Polish spelt by ear, a Lithuanian woman's married form. A record written so is
#: not joined automatically; it is what the person review's near-match suggestions are for.
_ALTERNATIVES = dict(
    (entry.split(":")[0], tuple(entry.split(":")[1].split(",")))
    for entry in (
        "Mihai:Mihail Gheorghe:Gheorghie,Gheorge Ștefan:Stephan Iulia:Julia,Yulia Ioana:Joana "
        "Nicoleta:Nicoletta Alexandra:Aleksandra Andreea:Andrea Ciobanu:Cioban Munteanu:Munteano "
        "Igbinedion:Igbinidion Omoregie:Omoregbe Ehigiator:Ehigiatior Osaghae:Osagiae "
        "Evbuomwan:Evbuomwen Edosomwan:Edosomwen Osayande:Osayade Idahosa:Idahossa Osarugue:Osarogue "
        "Itohan:Itohane Katarzyna:Katarzina Agnieszka:Agnieska,Agneszka Małgorzata:Malgozata "
        "Wiśniewska:Wisnievska,Vishnevska Wiśniewski:Wisnievski Kowalczyk:Kovalczyk Wójcik:Vojcik "
        "Krawczyk:Kravczyk Woźniak:Vozniak Grzegorz:Gregorz Łukasz:Lukas Paweł:Pavel Wojciech:Voitech "
        "Zuzana:Susanna Katarína:Katharina Aleksandr:Alexander,Aleksander,Alexandr "
        "Sergei:Sergey,Sergej,Serghei Dmitri:Dmitry,Dmitrij Andrei:Andrey,Andrej "
        "Alexei:Aleksey,Aleksej,Alexey Nikolai:Nikolay,Nikolaj Yuri:Yuriy,Jurij,Iurii "
        "Mikhail:Michail,Mihail Maxim:Maksim Evgeny:Yevgeniy,Jevgenij,Evgenii Artyom:Artem,Artiom "
        "Natalia:Natalya,Natalja Tatiana:Tatyana,Tatjana Yulia:Julia,Iuliia,Juliya "
        "Ekaterina:Yekaterina,Jekaterina,Katerina Anastasia:Anastasiya,Anastasija Elena:Yelena,Jelena "
        "Ksenia:Kseniya,Xenia,Ksenija Daria:Darya,Darja Viktoria:Victoria,Viktorija Yana:Jana "
        "Valeria:Valeriya Ludmila:Lyudmila,Ljudmila Svetlana:Swetlana Kuznetsova:Kuznetzova,Kusnezowa "
        "Kuznetsov:Kuznetzov,Kusnezow Ivanova:Iwanowa Ivanov:Iwanow Vasiliev:Vasilyev,Wassiljew "
        "Vasilieva:Vasilyeva,Wassiljewa Fedorov:Fyodorov,Fjodorow Fedorova:Fyodorova Morozov:Morosow "
        "Morozova:Morosowa Volkov:Wolkow Volkova:Wolkowa Alekseev:Alexeev,Alekseyev Alekseeva:Alexeeva "
        "Egorov:Yegorov,Jegorow Egorova:Yegorova Zaitsev:Zaytsev,Saizew Zaitseva:Zaytseva "
        "Mikhailov:Mikhaylov,Michajlow Mikhailova:Mikhaylova Smirnova:Smirnowa Sokolova:Sokolowa "
        "Popova:Popowa Orlova:Orlowa Novikova:Nowikowa Kozlova:Koslowa Lebedeva:Lebedewa "
        "Olena:Elena,Alena Iryna:Irina Yuliia:Yulia,Julia,Iuliia Tetiana:Tatiana,Tetyana "
        "Nataliia:Natalia,Natalija Kateryna:Ekaterina,Katerina Anastasiia:Anastasia "
        "Viktoriia:Viktoria,Victoria Khrystyna:Christina,Kristina Halyna:Galina Mariia:Maria,Mariya "
        "Sofiia:Sofia Daryna:Darina Oleksandr:Aleksandr,Alexander,Oleksander Andrii:Andriy,Andrij,Andrey "
        "Serhii:Serhiy,Sergii,Sergey Dmytro:Dmitro,Dmitry Volodymyr:Vladimir,Wolodymyr "
        "Mykola:Nikolai,Mikola Yurii:Yuriy,Yuri Vasyl:Vasil,Vasili Oleh:Oleg Ihor:Igor Maksym:Maxim "
        "Kravchenko:Kravtchenko,Krawtschenko Oliinyk:Oliynyk,Olijnyk Polishchuk:Polischuk,Polyshchuk "
        "Melnyk:Melnik Boiko:Boyko,Bojko Shevchenko:Schewtschenko Tkachenko:Tkatchenko "
        "Savchenko:Sawtschenko Lysenko:Lissenko Klymenko:Klimenko Siriporn:Siriphon,Siripon "
        "Nattaya:Nataya,Natthaya Pornpimol:Pornpimon,Phornphimon Malee:Mali Jintana:Chintana "
        "Rattana:Ratana Naree:Nari Supaporn:Suphaporn,Supapon Kanokwan:Kanokwon Chutima:Chuthima "
        "Thanyarat:Tanyarat Wilaiwan:Vilaiwan Arunee:Aruni Duangjai:Duangchai Somchai:Somchay "
        "Wichai:Vichai Thanakorn:Tanakorn Nattapong:Natthaphong Srisuk:Srisook Wongsakul:Vongsakul "
        "Saelim:Sae-lim Boonmee:Bunmi,Boonmi Rattanakorn:Ratanakorn Phromma:Promma Kaewkham:Kaeokham "
        "Saengthong:Sangthong Janthong:Chanthong Phanthong:Panthong Inthawong:Intawong Thongdee:Tongdee "
        "Petya:Petia Tsvetelina:Cvetelina,Zwetelina Yordanka:Jordanka Vanya:Vania Denitsa:Denica,Denitza "
        "Emiliya:Emilia Nikolay:Nikolai Hristo:Christo Stoyan:Stojan Petar:Peter,Petur Kiril:Kirill "
        "Yordan:Jordan Lyubomir:Ljubomir,Liubomir Hristov:Christov Hristova:Christova "
        "Stoyanov:Stojanov Stoyanova:Stojanova Yordanov:Jordanov Yordanova:Jordanova "
        "Georgiev:Georgiew Georgieva:Georgiewa Krisztina:Kristina,Christina Szilvia:Silvia "
        "Nikolett:Nikoletta Brigitta:Brigita Zsófia:Sofia Eszter:Ester Kitti:Kitty Viktória:Victoria "
        "Kovács:Kovach Szabó:Sabo Horváth:Horvat Juhász:Juhas Mészáros:Mesaros Balogh:Balog "
        "Németh:Nemet Hoxha:Hodza,Hodja Shehu:Sehu Dervishi:Dervisi Krasniqi:Krasniqui,Krasnici "
        "Kelmendi:Kelmend Gjoka:Gioka Klodian:Klaudian Gentian:Genti"
    ).split()
)

#: Name endings that other records write differently (Romanian -escu as -esco, a Lithuanian
#: maiden name as the married one, a Slovak woman's name without -ová as foreign papers have it).
_ENDINGS = (("escu", ("esco", "esku")), ("aitė", ("ienė",)), ("ūtė", ("ienė",)), ("utė", ("ienė",)),
            ("ová", ("",)))

#: Origin of networks, and of victims without a network (weights).
_NETWORK_ORIGINS = {"RO": 30, "NG": 18, "BG": 10, "HU": 8, "PL": 6, "SK": 6, "TH": 8, "RU": 4, "UA": 4,
                    "LT": 3, "AL": 3}
_VICTIM_ORIGINS = {"RO": 25, "NG": 15, "PL": 8, "SK": 6, "RU": 5, "UA": 6, "TH": 10, "BG": 8, "HU": 7,
                   "LT": 3, "SE": 7}
_COUNTRY_SV = {"RO": ("Rumänien", "rumänskt"), "NG": ("Nigeria", "nigerianskt"), "PL": ("Polen", "polskt"),
               "SK": ("Slovakien", "slovakiskt"), "RU": ("Ryssland", "ryskt"), "UA": ("Ukraina", "ukrainskt"),
               "TH": ("Thailand", "thailändskt"), "BG": ("Bulgarien", "bulgariskt"),
               "HU": ("Ungern", "ungerskt"), "LT": ("Litauen", "litauiskt"), "AL": ("Albanien", "albanskt"),
               "SE": ("Sverige", "svenskt")}

# -- phones -----------------------------------------------------------------------------------
#: Mobile numbers: country code, national prefixes (one length per country), national number
#: length, trunk prefix for the national spelling, digit groups for pretty spellings.
_PHONES = {
    "SE": ("46", ("70", "72", "73", "76", "79"), 9, "0", (2, 3, 2, 2)),
    "RO": ("40", ("72", "73", "74", "75", "76", "77", "78"), 9, "0", (3, 3, 3)),
    "NG": ("234", ("803", "806", "813", "816", "703", "706", "802", "808", "812", "701", "708", "902",
                   "905", "903"), 10, "0", (3, 3, 4)),
    "PL": ("48", ("50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"), 9, "",
           (3, 3, 3)),
    "SK": ("421", ("90", "91", "94", "95"), 9, "0", (3, 3, 3)),
    "RU": ("7", ("91", "92", "93", "95", "96", "98"), 10, "8", (3, 3, 2, 2)),
    "TH": ("66", ("81", "82", "84", "86", "89", "61", "62", "63", "64", "65", "91", "92", "95"), 9, "0",
           (2, 3, 4)),
    "BG": ("359", ("87", "88", "89"), 9, "0", (2, 3, 4)),
    "HU": ("36", ("20", "30", "31", "70"), 9, "06", (2, 3, 4)),
    "UA": ("380", ("50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"), 9, "0",
           (2, 3, 2, 2)),
    "LT": ("370", ("6",), 8, "8", (3, 5)),
    "AL": ("355", ("67", "68", "69"), 9, "0", (2, 3, 4)),
}

# -- places -----------------------------------------------------------------------------------
#: Swedish street names: (stem, type) so that abbreviated spellings can be made from them.
_STREETS = tuple(
    tuple(s.split("+")) for s in (
        "Stor+gatan Drottning+gatan Kungs+gatan Järnvägs+gatan Skol+gatan Kyrko+gatan Ny+gatan "
        "Hamn+gatan Fabriks+gatan Bangårds+gatan Tings+gatan Sjö+gatan Smedje+gatan Bryggare+gatan "
        "Trädgårds+gatan Väster+gatan Öster+gatan Södra Förstads+gatan Norra Hamn+gatan Linné+gatan "
        "Industri+vägen Park+vägen Björk+vägen Tall+vägen Gran+vägen Ring+vägen Skogs+vägen Kyrk+vägen "
        "Bruks+vägen Mejeri+vägen Hantverkar+vägen Lasarett+vägen Lin+vägen Ek+vägen Hagalunds+vägen "
        "Sankt Eriks+gatan Stora Ny+gatan Lilla Torg+gatan Västra Kyrko+gatan Östra Lång+gatan"
    ).replace("Södra Förstads", "Södra_Förstads").replace("Norra Hamn", "Norra_Hamn")
     .replace("Sankt Eriks", "Sankt_Eriks").replace("Stora Ny", "Stora_Ny")
     .replace("Lilla Torg", "Lilla_Torg").replace("Västra Kyrko", "Västra_Kyrko")
     .replace("Östra Lång", "Östra_Lång").split()
)
#: Written forms of a leading word: Sankt as S:t, Västra as V:a...
_LEADING_ABBREVIATIONS = {"Sankt": "S:t", "Stora": "St:a", "Lilla": "L:a", "Norra": "N:a", "Södra": "S:a",
                          "Östra": "Ö:a", "Västra": "V:a"}

#: Addresses abroad: country: ((city, postcode prefix, postcode digits, streets), ...)
_ABROAD = {
    "RO": (("Craiova", "200", 3, "Strada Unirii|Strada Mihai Viteazu|Strada Independenței"),
           ("Constanța", "900", 3, "Strada Tomis|Bulevardul Mamaia|Strada Răsăritului"),
           ("Iași", "700", 3, "Strada Păcurari|Strada Florilor|Bulevardul Independenței"),
           ("Brăila", "810", 3, "Strada Galați|Strada Victoriei"),
           ("Pitești", "110", 3, "Strada Teilor|Strada Trivale")),
    "NG": (("Benin City", "300", 3, "Airport Road|Sapele Road|Akpakpava Street|Ikpoba Hill Road"),
           ("Lagos", "100", 3, "Adeola Odeku Street|Ikorodu Road")),
    "PL": (("Łódź", "90-", 3, "ul. Piotrkowska|ul. Zgierska"), ("Szczecin", "70-", 3, "ul. Długa|ul. Wojska Polskiego"),
           ("Wrocław", "50-", 3, "ul. Kościuszki|ul. Mickiewicza")),
    "BG": (("Sliven", "88", 2, "ul. Vasil Levski|ul. Hristo Botev"), ("Varna", "90", 2, "bul. Vladislav Varnenchik"),
           ("Pazardzhik", "44", 2, "ul. Bulgaria")),
    "HU": (("Nyíregyháza", "44", 2, "Kossuth Lajos utca|Petőfi utca"), ("Miskolc", "35", 2, "Fő utca|Széchenyi utca")),
    "SK": (("Košice", "040 ", 2, "Hlavná|Štúrova"), ("Lučenec", "984 ", 2, "Hviezdoslavova")),
    "LT": (("Kaunas", "LT-44", 3, "Savanorių pr.|Laisvės al."),),
    "AL": (("Tirana", "10", 2, "Rruga e Durrësit|Rruga Myslym Shyri"), ("Elbasan", "30", 2, "Rruga Qemal Stafa")),
}

#: Hotel names: local names, fictitious chains (followed by the town), short-term rentals.
_HOTEL_LOCAL = (
    "Hotell Kronan", "Stadshotellet", "Hotell Svea", "Stationshotellet", "Hotell Esplanad", "Hotell Linnéa",
    "Hotell Gästis", "Hotell Nordstjärnan", "Pensionat Björken", "Hotell Tornet", "Hotell Hamnen",
    "Hotell Solhem", "Hotell Ankaret", "Hotell Fyren", "Motell Rastplatsen", "Vägkrogens Motell",
    "Hotell City", "Hotell Centrum", "Hotell Park", "Hotell Riddaren", "Hotell Drott", "Hotell Duvan",
    "Vandrarhemmet Kvarnen", "Hotell Lärkan", "Hotell Bröderna", "Hotell Resenären", "Hotell Ekbacken",
)
_HOTEL_CHAINS = ("Nordic Stay", "Scandinavia Inn", "Comfy City", "First Stop", "Best Nord", "RoadInn",
                 "Sleep Easy", "Motel Nord", "Baltic Lodge")
_HOTEL_CHAIN_PARTS = ("", " Central", " City", " Station", " Syd", " Norra", " Arena", " Airport")
_RENTALS = ("Korttidsboende", "Lägenhetshotell", "Rum & Lägenhet", "Stay Apartments", "Citylägenheter")

#: Escort sites (fictitious): host, kind of advert id, path.
_SITES = (
    ("nattfjaril-example.se", "digits", "/annons/{id}"),
    ("rosasidan-example.se", "digits", "/a/{id}"),
    ("eurodates-example.com", "code", "/ad/{id}"),
    ("vipescort-example.eu", "digits", "/profile/{id}"),
    ("sexannons-example.se", "digits", "/visa/{id}"),
    ("ladies-example.net", "code", "/{city}/{id}"),
)

_ASSOCIATION_KINDS = ("controller", "partner", "recruiter")

#: Towns of the core's addresses and hotels: only there can a generated address be one of them.
_CORE_TOWNS = frozenset({r[3] for r in ADDRESSES} | {r[4] for r in HOTELS})

_FIRST_DAY = date(2022, 1, 10).toordinal()
_LAST_DAY = date(2025, 10, 31).toordinal()


# -- what the background must not touch -------------------------------------------------------

def _core_e164() -> frozenset[str]:
    numbers = {(r[1], r[3]) for r in PHONES} | {(n, "") for r in CALLS for n in r[1:3]}
    numbers |= {(r[6], "") for r in ADVERTS}
    return frozenset(normalise.normalise_phone(n, h or "SE") for n, h in numbers)


def _core_places() -> tuple[frozenset[str], frozenset[str]]:
    address_key, hotel_key = normalise.address_key, normalise.hotel_key
    addresses = {address_key(r[1], r[2], r[3], r[4]) for r in ADDRESSES}
    addresses |= {address_key(r[2], r[3], r[4], r[5]) for r in HOTELS if r[2]}
    hotels = {hotel_key(r[1], r[4], r[5]) for r in HOTELS} | {hotel_key(r[2], r[3], r[4]) for r in STAYS}
    return frozenset(addresses), frozenset(hotels)


# -- small helpers ----------------------------------------------------------------------------

def _permute(i: int, size: int, key: int) -> int:
    """A keyed permutation of ``range(size)``: a four-round Feistel network with cycle walking."""
    half = ((size - 1).bit_length() + 1) // 2 or 1
    mask = (1 << half) - 1
    x = i
    while True:
        left, right = x >> half, x & mask
        for r in (0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C):
            f = ((right * 0x9E3779B1) ^ key ^ r) & 0xFFFFFFFF
            f = ((f ^ (f >> 15)) * 0x2C1B3C6D) & 0xFFFFFFFF
            left, right = right, left ^ ((f ^ (f >> 12)) & mask)
        x = (left << half) | right
        if x < size:
            return x


def _key(seed: int, name: str) -> int:
    return zlib.crc32(f"casegraph-demo/{seed}/{name}".encode())


def _ascii(text: str) -> str:
    """Text without diacritics, as a form typed on a foreign keyboard spells it."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.translate(str.maketrans("łŁøØæÆ", "lLoOaA"))


def _iso(day: int) -> str:
    return date.fromordinal(day).isoformat()


def _weighted(rng: Random, table: dict):
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def _luhn(digits: str) -> int:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


# -- persons ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Person:
    country: str
    female: bool
    first: str
    last: str
    birth: str
    national_id: str

    @property
    def name(self) -> str:
        return f"{self.last} {self.first}" if self.country == "HU" else f"{self.first} {self.last}"


class _People:
    """Persons of one country and sex, none sharing a name and birth date or a national id.

    The i-th person is the i-th value of a keyed permutation of (birth date, first name,
    surname), so that draws look random and never repeat. Swedes get a personnummer whose serial
    is part of the permuted value, so that it too never repeats.
    """

    def __init__(self, country: str, female: bool, seed: int):
        firsts, males, surnames = _NAMES[country]
        self.country, self.female = country, female
        self.firsts = (firsts if female else males).split()
        self.lasts = [s.split("/")[-1 if female else 0] for s in surnames.split()]
        born = (1955, 2004) if country == "SE" else (1982, 2005) if female else (1965, 2002)
        self.day0 = date(born[0], 1, 1).toordinal()
        self.days = date(born[1], 12, 31).toordinal() - self.day0 + 1
        self.names = len(self.firsts) * len(self.lasts)
        self.size = self.days * (500 if country == "SE" else self.names)
        self.key = _key(seed, f"people/{country}/{female}")
        self.count = 0
        #: Who may have a national id on record: Swedes always; others by their papers.
        self.id_share = {"SE": 1.0, "RO": 0.5, "PL": 0.4, "BG": 0.4, "NG": 0.3}.get(country, 0.0)

    def draw(self) -> _Person:
        k = self.count
        self.count += 1
        idx = _permute(k % self.size, self.size, self.key)
        if self.country == "SE":
            day, serial = divmod(idx, 500)
            name = (serial * 7919 + day * 104729) % self.names
        else:
            day, name = divmod(idx, self.names)
        first, last = self.firsts[name % len(self.firsts)], self.lasts[name // len(self.firsts)]
        born = date.fromordinal(self.day0 + day)
        nid = ""
        if (k * 2654435761 + self.key) % 1000 < self.id_share * 1000:
            nid = self._national_id(born, k, idx)
        return _Person(self.country, self.female, first, last, born.isoformat(), nid)

    def _national_id(self, born: date, k: int, idx: int) -> str:
        yymmdd = f"{born.year % 100:02d}{born.month:02d}{born.day:02d}"
        if self.country == "SE":
            serial = f"{(idx % 500) * 2 + (0 if self.female else 1):03d}"
            return f"{born.year}{born.month:02d}{born.day:02d}{serial}{_luhn(yymmdd + serial)}"
        if self.country == "RO":  # CNP
            sex = (2 if self.female else 1) + (4 if born.year >= 2000 else 0)
            body = f"{sex}{yymmdd}{1 + (k // 1000) % 46:02d}{k % 1000:03d}"
            check = sum(int(a) * int(b) for a, b in zip(body, "279146358279", strict=True)) % 11
            return body + str(1 if check == 10 else check)
        if self.country == "PL":  # PESEL
            month = born.month + (20 if born.year >= 2000 else 0)
            serial = f"{k % 1000:03d}{(k // 1000 * 2 + (0 if self.female else 1)) % 10}"
            body = f"{born.year % 100:02d}{month:02d}{born.day:02d}{serial}"
            check = (10 - sum(int(d) * w for d, w in zip(body, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3), strict=True)) % 10) % 10
            return body + str(check)
        if self.country == "BG":  # EGN
            month = born.month + (40 if born.year >= 2000 else 0)
            body = f"{born.year % 100:02d}{month:02d}{born.day:02d}{k % 100:02d}{1 if self.female else 0}"
            check = sum(int(d) * w for d, w in zip(body, (2, 4, 8, 5, 10, 9, 7, 3, 6), strict=True)) % 11
            return body + str(check % 10)
        return f"A{_permute(k, 10 ** 8, self.key):08d}"  # a Nigerian passport number


# -- phones -----------------------------------------------------------------------------------

class _Phones:
    """Mobile numbers of one country, never repeating, never one of the core's."""

    def __init__(self, country: str, seed: int, taken: frozenset[str]):
        self.cc, self.prefixes, self.length, self.trunk, self.groups = _PHONES[country]
        self.country = country
        self.rest = self.length - len(self.prefixes[0])
        self.size = len(self.prefixes) * 10 ** self.rest
        self.key = _key(seed, f"phones/{country}")
        self.taken = taken
        self.count = 0

    def draw(self) -> tuple[str, str]:
        while True:
            idx = _permute(self.count % self.size, self.size, self.key)
            self.count += 1
            rest, p = divmod(idx, len(self.prefixes))
            nsn = self.prefixes[p] + str(rest).zfill(self.rest)
            if f"+{self.cc}{nsn}" not in self.taken:
                return self.country, nsn


def _spell_phone(rng: Random, phone: tuple[str, str], with_hint: bool) -> tuple[str, str]:
    """A written form of the phone and the country hint it needs ("" for none)."""
    country, nsn = phone
    cc, _, _, trunk, groups = _PHONES[country]
    parts, at = [], 0
    for g in groups:
        parts.append(nsn[at:at + g])
        at += g
    r = rng.random()
    if country == "SE":
        local = trunk + nsn
        hint = "SE" if with_hint and rng.random() < 0.15 else ""
        if r < 0.25:
            return f"{local[:3]}-{local[3:6]} {local[6:8]} {local[8:]}", hint
        if r < 0.35:
            return f"{local[:3]}-{local[3:]}", hint
        if r < 0.45:
            return f"{local[:3]} {local[3:6]} {local[6:8]} {local[8:]}", hint
        if r < 0.55:
            return local, hint
        if r < 0.75:
            return f"+{cc} {' '.join(parts)}", hint
        if r < 0.85:
            return f"+{cc}{nsn}", hint
        if r < 0.97:
            return f"00{cc}{nsn}", hint
        return f"+{cc} (0){parts[0]}-{' '.join(parts[1:])}", hint
    if with_hint and r < 0.3:
        hint = country if rng.random() < 0.8 else country.lower()
        sep = "-" if country == "PL" and rng.random() < 0.5 else " "
        return trunk + sep.join(parts) if trunk else sep.join(parts), hint
    if r < 0.6:
        return f"+{cc} {' '.join(parts)}", ""
    if r < 0.8:
        return f"+{cc}{nsn}", ""
    return f"00{cc} {' '.join(parts)}" if r < 0.9 else f"00{cc}{nsn}", ""


# -- addresses and hotels ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Address:
    country: str
    city: str
    #: Swedish: (leading word, stem, street type); abroad: (street,)
    street: tuple[str, ...]
    number: str
    letter: str
    postcode: str

    def spell(self, rng: Random) -> tuple[str, str, str]:
        """(street, postcode, city) in one of the spellings that normalise to the same key."""
        city = self.city
        r = rng.random()
        if r < 0.05:
            city = city.upper()
        elif r < 0.1 and self.country == "SE":
            city = _ascii(city)
        if self.country != "SE":
            return f"{self.street[0]} {self.number}", self.postcode, city
        lead, stem, kind = self.street
        letter = ""
        if self.letter:
            letter = rng.choice((f" {self.letter}", self.letter, f" {self.letter.lower()}"))
        r = rng.random()
        if r < 0.2:
            name = f"{stem}{'g.' if kind == 'gatan' else rng.choice(('v.', 'vg.'))}"
        elif r < 0.25:
            name = f"{stem} {kind}"
        else:
            name = f"{stem}{kind}"
        if lead:
            lead = _LEADING_ABBREVIATIONS[lead] if rng.random() < 0.3 else lead
            name = f"{lead} {name}"
        street = f"{name} {self.number}{letter}"
        if rng.random() < 0.04:
            street = street.upper()
        r = rng.random()
        code = self.postcode
        postcode = f"{code[:3]} {code[3:]}" if r < 0.55 else code if r < 0.95 else f"SE-{code[:3]} {code[3:]}"
        return street, postcode, city


@dataclass(frozen=True, slots=True)
class _Hotel:
    name: str
    town: int
    address: _Address

    def spell(self, rng: Random) -> str:
        name, r = self.name, rng.random()
        words = name.split(" ", 1)
        if words[0] in ("Hotell", "Hotel") and len(words) == 2:
            if r < 0.15:
                return words[1]
            if r < 0.25:
                return f"{'Hotel' if words[0] == 'Hotell' else 'Hotell'} {words[1]}"
            if r < 0.3:
                return f"{words[1]} Hotell"
        elif r < 0.1 and not name.startswith(("Motel", "Vandrarhem", "Pensionat", "Stads", "Stations") + _RENTALS):
            return f"Hotel {name}"
        if r > 0.95:
            return name.upper()
        if r > 0.9:
            return _ascii(name)
        return name


# =============================================================================================
# The plan: networks and cases, drawn before any row is written (memberships() needs the cases)
# =============================================================================================

@dataclass
class _Ring:
    """A controller network: its people, phones and flats, and the road it works along."""

    origin: str
    road: str
    route: list[int]
    controllers: list[_Person]
    controller_phones: list[list[tuple[str, str]]]
    controller_homes: list[_Address | None]
    victims: list[_Person]
    victim_phones: list[list[tuple[str, str]]]
    flats: list[_Address]
    advert_phone: tuple[str, str]
    jit: str
    start: int
    weight: float
    #: (site, advert id, phone) of adverts the network keeps running; a few, bounded
    adverts: list[tuple[str, str, tuple[str, str]]] = field(default_factory=list)


@dataclass
class _Case:
    case_id: str
    title: str
    unit: str
    opened: int
    classification: str
    crime: str
    jit: str
    contact: str
    town: int
    region: str
    unit_region: str
    ring: int
    weight: float


@dataclass
class _Plan:
    rows: int
    seed: int
    rings: list[_Ring]
    cases: list[_Case]
    hotels: list[list[_Hotel]]
    people: dict[tuple[str, bool], _People]
    phones: dict[str, _Phones]
    taken_addresses: frozenset[str]


def _case_count(rows: int) -> int:
    return max(1, min(5000, max(50, rows // 120), rows // 12))


def _plan(rows: int, seed: int) -> _Plan:
    rng = Random(f"casegraph-demo/{seed}/{rows}/plan")  # seeded: a reproducible demo, no secret  # nosec B311
    taken_phones = _core_e164()
    taken_addresses, taken_hotels = _core_places()
    people = {(c, f): _People(c, f, seed) for c in _NAMES for f in (False, True)}
    phones = {c: _Phones(c, seed, taken_phones) for c in _PHONES}
    plan = _Plan(rows, seed, [], [], [], people, phones, taken_addresses)
    plan.hotels = _hotels(rng, rows, taken_hotels, taken_addresses)
    n_cases = _case_count(rows)
    plan.rings = [_ring(rng, plan, i) for i in range(max(3, n_cases // 10))]
    plan.cases = _cases(rng, plan, n_cases)
    return plan


def _swedish_address(rng: Random, town: int, taken: frozenset[str] = frozenset()) -> _Address:
    name, _, _, prefixes, _ = _TOWNS[town]
    while True:
        street = rng.choice(_STREETS)
        stem, kind = street
        lead = ""
        if "_" in stem:
            lead, stem = stem.split("_")
        number = str(rng.randint(1, 60) if rng.random() < 0.8 else rng.randint(61, 180))
        letter = rng.choice("ABCD") if rng.random() < 0.15 else ""
        postcode = rng.choice(prefixes) + f"{rng.randint(10, 99)}"
        address = _Address("SE", name, (lead, stem, kind), number, letter, postcode)
        if name not in _CORE_TOWNS or _address_key(address) not in taken:
            return address


def _address_key(address: _Address) -> str:
    lead, stem, kind = address.street if address.country == "SE" else ("", address.street[0], "")
    street = f"{lead} {stem}{kind} {address.number}{address.letter}".strip()
    return normalise.address_key(street, address.postcode, address.city, address.country)


def _abroad_address(rng: Random, country: str) -> _Address | None:
    if country not in _ABROAD:
        return None
    city, prefix, digits, streets = rng.choice(_ABROAD[country])
    postcode = prefix + "".join(str(rng.randint(0, 9)) for _ in range(digits))
    number = str(rng.randint(1, 140))
    return _Address(country, city, (rng.choice(streets.split("|")),), number, "", postcode)


def _hotels(rng: Random, rows: int, taken: frozenset[str], taken_addresses: frozenset[str]):
    per_town = []
    scale = 2 + rows / 20000
    for t, (town, *_rest, weight) in enumerate(_TOWNS):
        count = max(5, min(60, round(weight * scale)))
        names, keys = [], set()
        tries = 0
        while len(names) < count and tries < count * 20:
            tries += 1
            r = rng.random()
            if r < 0.45:
                name = rng.choice(_HOTEL_LOCAL)
            elif r < 0.8:
                name = f"{rng.choice(_HOTEL_CHAINS)} {town}{rng.choice(_HOTEL_CHAIN_PARTS)}"
            else:
                stem, kind = rng.choice(_STREETS)
                name = f"{rng.choice(_RENTALS)} {stem.replace('_', ' ')}{kind}"
            key = normalise.hotel_key(name, town, "SE")
            if key in taken or key in keys:
                continue
            keys.add(key)
            names.append(name)
        per_town.append([_Hotel(n, t, _swedish_address(rng, t, taken_addresses)) for n in names])
    return per_town


def _ring(rng: Random, plan: _Plan, index: int) -> _Ring:
    origin = _weighted(rng, _NETWORK_ORIGINS)
    road = _weighted(rng, {k: v[1] for k, v in _ROADS.items()})
    towns = [_TOWN_INDEX[t] for t in _ROADS[road][0]]
    length = rng.randint(min(3, len(towns)), min(6, len(towns)))
    at = rng.randint(0, len(towns) - length)
    route = towns[at:at + length]
    if rng.random() < 0.5:
        route.reverse()
    size = min(rng.paretovariate(1.5), 6.0)
    controllers, phones, homes = [], [], []
    for _ in range(max(2, min(7, round(1.5 + size)))):
        country = origin if rng.random() < 0.75 else "SE"
        female = rng.random() < (0.5 if country == "NG" else 0.2)
        controllers.append(plan.people[(country, female)].draw())
        phones.append([plan.phones["SE" if rng.random() < 0.7 else origin].draw()
                       for _ in range(rng.choice((1, 1, 2, 2, 3)))])
        r = rng.random()
        if country == "SE" or r < 0.45:
            homes.append(_swedish_address(rng, rng.choice(route), plan.taken_addresses))
        elif r < 0.8:
            homes.append(_abroad_address(rng, country))
        else:
            homes.append(None)
    victims, victim_phones = [], []
    for _ in range(max(3, min(20, round(2 + 3 * size)))):
        country = origin if origin in _VICTIM_ORIGINS and rng.random() < 0.8 else _weighted(rng, _VICTIM_ORIGINS)
        victims.append(plan.people[(country, rng.random() < 0.93)].draw())
        victim_phones.append([plan.phones["SE" if rng.random() < 0.65 else country].draw()
                              for _ in range(rng.choice((1, 1, 1, 2)))])
    flats = [_swedish_address(rng, rng.choice(route), plan.taken_addresses) for _ in range(rng.randint(1, 4))]
    start = rng.randint(_FIRST_DAY, _LAST_DAY - 200)
    jit = ""
    if origin != "SE" and rng.random() < 0.45:
        jit = f"JIT-{origin}-SE-{date.fromordinal(start).year}-{index + 1:02d}"
    return _Ring(origin, road, route, controllers, phones, homes, victims, victim_phones, flats,
                 plan.phones["SE"].draw(), jit, start, size)


def _cases(rng: Random, plan: _Plan, count: int) -> list[_Case]:
    ring_weights = list(accumulate(r.weight for r in plan.rings))
    town_weights = list(accumulate(t[4] for t in _TOWNS))
    crimes = list(_CRIMES)
    drafts = []
    for _ in range(count):
        crime = rng.choices(crimes, weights=[_CRIMES[c][0] for c in crimes])[0]
        share, in_ring, rows_weight, classes, _pace = _CRIMES[crime]
        ring = -1
        if rng.random() < in_ring:
            ring = bisect(ring_weights, rng.random() * ring_weights[-1])
            ring = min(ring, len(plan.rings) - 1)
        if ring >= 0:
            r = plan.rings[ring]
            town = rng.choice(r.route)
            opened = min(_LAST_DAY, r.start + rng.randint(0, 540))
        else:
            r = None
            town = min(bisect(town_weights, rng.random() * town_weights[-1]), len(_TOWNS) - 1)
            opened = rng.randint(_FIRST_DAY, _LAST_DAY)
        x = rng.random()
        classification = "normal" if x < classes[0] else "restricted" if x < classes[1] else "covert"
        jit = r.jit if r is not None and r.jit and crime == "trafficking" and rng.random() < 0.7 else ""
        region = _TOWNS[town][1]
        unit_region = region
        if crime == "trafficking" and rng.random() < (0.55 if jit else 0.25):
            unit_region = "Noa"
        weight = rows_weight * min(rng.paretovariate(2.2), 6.0)
        drafts.append([opened, crime, ring, town, classification, jit, region, unit_region, weight])
    drafts.sort(key=lambda d: d[0])
    numbers = _case_numbers(rng, [date.fromordinal(d[0]).year for d in drafts])
    cases = []
    for d, case_id in zip(drafts, numbers, strict=True):
        opened, crime, ring, town, classification, jit, region, unit_region, weight = d
        r = plan.rings[ring] if ring >= 0 else None
        cases.append(_Case(case_id, _title(rng, crime, town, r, jit), _unit(rng, town, unit_region, classification),
                           opened, classification, crime, jit, _contact(rng, unit_region, classification),
                           town, region, unit_region, ring, weight))
    return cases


def _case_numbers(rng: Random, years: list[int]) -> list[str]:
    core = {c[0] for c in CASES}
    by_year: dict[int, int] = {}
    for y in years:
        by_year[y] = by_year.get(y, 0) + 1
    numbers: dict[int, list[int]] = {}
    for y, n in by_year.items():
        free = [k for k in range(1, 10000) if f"K-{y}-{k:04d}" not in core]
        numbers[y] = sorted(rng.sample(free, min(n, len(free))))
    used = dict.fromkeys(by_year, 0)
    out = []
    for y in years:
        out.append(f"K-{y}-{numbers[y][used[y]]:04d}")
        used[y] += 1
    return out


def _title(rng: Random, crime: str, town: int, ring: _Ring | None, jit: str) -> str:
    name = _TOWNS[town][0]
    road = ring.road if ring else rng.choice(("E4", "E6", "E18", "E20"))
    other = _TOWNS[rng.choice(ring.route)][0] if ring else name
    country, adjective = _COUNTRY_SV[ring.origin if ring else "RO"]
    operation = rng.choice(_OPERATIONS)
    if crime == "sex purchase":
        choices = (f"Köp av sexuell tjänst, insatsvecka {name}", f"Köp av sexuell tjänst, hotellspaning {name}",
                   f"Insats {operation}, köp av sexuell tjänst i {name}", f"Sexköp via eskortannonser, {name}",
                   f"Köp av sexuell tjänst, korttidslägenheter {name}",
                   f"Köp av sexuell tjänst, Europols insatsvecka ({name})")
    elif crime == "procuring":
        choices = (f"Koppleri, hotell längs {road}", f"Koppleri, korttidsuthyrning {name}",
                   f"Grovt koppleri, lägenheter i {name}",
                   f"Koppleri via eskortannonser, {name}–{other}" if other != name else f"Koppleri, {name}",
                   f"Koppleri, insats {operation}")
    else:
        choices = (f"Människohandel för sexuella ändamål, {name}", f"Människohandel, nätverk längs {road}",
                   f"Grov människohandel, korttidsuthyrning {name}",
                   f"Människohandel, {adjective} nätverk {name}–{other}" if ring and other != name
                   else f"Människohandel för sexuella ändamål, insats {operation}")
        if jit:
            return f"Människohandel för sexuella ändamål, JIT {country}" + (
                "" if rng.random() < 0.5 else f" ({name})")
    return rng.choice(choices)


def _unit(rng: Random, town: int, unit_region: str, classification: str) -> str:
    name, region, area, _, _ = _TOWNS[town]
    if unit_region == "Noa":
        return rng.choice(_NOA_UNITS)
    if classification == "covert":
        return f"Polisregion {region}, underrättelse"
    sub = rng.choice(_REGION_UNITS).format(town=name)
    if region == "Stockholm" and rng.random() < 0.3:
        sub = "prostitutionsgruppen"
    if rng.random() < 0.35:
        return f"Polisområde {area}, {sub}"
    return f"Polisregion {region}, {sub}"


def _contact(rng: Random, unit_region: str, classification: str) -> str:
    if classification == "covert" and rng.random() < 0.7:
        return "Underrättelseenheten Noa" if unit_region == "Noa" else f"Underrättelsesektionen {unit_region}"
    female = rng.random() < 0.5
    first = rng.choice(_NAMES["SE"][0 if female else 1].split())
    last = rng.choice(_NAMES["SE"][2].split())
    title = rng.choice(("Insp.", "Insp.", "Kriminalinsp.", "Krim.insp.", "Gruppchef", "FU-ledare"))
    return f"{title} {first} {last}, 010-56{rng.randint(0, 9)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


# =============================================================================================
# The generator: one case at a time, every row written as soon as it is made
# =============================================================================================

class _CaseState:
    """What one case keeps while its rows are written; dropped with the case."""

    __slots__ = ("case", "ring", "refs", "docs", "tels", "lists", "adverts", "hotels", "people", "controllers",
                 "victims", "contacts", "year", "num", "source_style", "lo", "hi", "town")

    def __init__(self, case: _Case, ring: _Ring | None, rng: Random):
        self.case, self.ring = case, ring
        self.refs = 0
        self.docs = self.tels = self.lists = self.adverts = 0
        self.hotels: set[str] = set()
        self.people: set[tuple[str, str]] = set()
        self.controllers: list[tuple[str, list[tuple[str, str]]]] = []
        self.victims: list[tuple[str, list[tuple[str, str]], _Person]] = []
        self.contacts: list[tuple[str, str]] = []
        self.year, self.num = case.case_id[2:6], case.case_id[7:]
        self.source_style = ("jit" if case.jit and rng.random() < 0.8 else
                             "covert" if case.classification == "covert" else "report")
        self.lo, self.hi = case.opened - 150, min(case.opened + 25, _LAST_DAY + 25)
        self.town = case.town

    def ref(self, prefix: str) -> str:
        self.refs += 1
        return f"{prefix}{self.refs}"

    def doc(self) -> str:
        self.docs += 1
        if self.source_style == "jit":
            return f"JIT-{self.case.jit[-2:]}-FR-{self.docs:03d}"
        if self.source_style == "covert":
            return f"UND-{_REGION_CODES[self.case.unit_region]}-{self.year}-{self.docs:03d}"
        return f"A-{self.year}-{self.num}-{self.docs:02d}"

    def tel(self) -> str:
        self.tels += 1
        return f"TEL-{self.num}-{self.tels:02d}"

    def listing(self) -> str:
        """A hotel's guest list."""
        self.lists += 1
        return f"GL-{self.num}-{self.lists:02d}"

    def monitoring(self) -> str:
        """A record of the advert monitoring."""
        self.adverts += 1
        return f"ANN-{self.num}-{self.adverts:02d}"


class _Generator:
    """Write the background: for each planned case, its row, its people and their facts.

    A case's rows are made episode by episode (a controller with phones and home; a victim with
    phone, adverts, stays, calls and the controller's hold over her; a buyer who called an
    advert) until the running total reaches the case's share of the rows asked for.
    """

    def __init__(self, plan: _Plan, writers: dict, seed: int):
        self.plan = plan
        self.rng = Random(f"casegraph-demo/{seed}/{plan.rows}/rows")  # seeded: a reproducible demo, no secret  # nosec B311
        self.w = {name.removesuffix(".csv"): w.writerow for name, w in writers.items()}
        self.n = 0
        self.recent_buyers: list[tuple[_Person, tuple[str, str]]] = []
        self.advert_ids = [0] * len(_SITES)
        self.advert_key = _key(seed, "adverts")

    def run(self) -> None:
        plan = self.plan
        core_rows = sum(len(rows) for _, rows in FILES.values())
        target = max(plan.rows - core_rows, len(plan.cases) * 2)
        total = sum(c.weight for c in plan.cases)
        done = 0.0
        for case in plan.cases:
            done += case.weight
            self.case(case, round(target * done / total))

    def row(self, file: str, values) -> None:
        self.w[file](values)
        self.n += 1

    # -- one case ----------------------------------------------------------------------------

    def case(self, case: _Case, until: int) -> None:
        rng = self.rng
        ring = self.plan.rings[case.ring] if case.ring >= 0 else None
        cs = _CaseState(case, ring, rng)
        classification = case.classification
        r = rng.random()
        if r < 0.05:
            classification = classification.capitalize()
        elif r < 0.15 and classification == "normal":
            classification = ""
        opened = _iso(case.opened) if rng.random() < 0.97 else ""
        self.row("cases", (case.case_id, case.title, case.unit, opened, classification, case.crime, case.jit,
                           case.contact))
        self.controllers(cs)
        pace = _CRIMES[case.crime][4]
        while self.n < until:
            r = rng.random()
            if not cs.victims or r < pace[0]:
                self.victim(cs)
            elif r < pace[0] + pace[1]:
                self.buyer(cs)
            else:
                self.more(cs)

    def controllers(self, cs: _CaseState) -> None:
        rng, ring, case = self.rng, cs.ring, cs.case
        chosen: list[tuple[_Person, list, _Address | None, bool]] = []
        if ring is not None:
            count = min(len(ring.controllers), 1 + int(rng.random() ** 2 * 3))
            picks = rng.sample(range(len(ring.controllers)), count)
            if 0 not in picks and rng.random() < 0.5:
                picks[0] = 0
            for i in picks:
                chosen.append((ring.controllers[i], ring.controller_phones[i], ring.controller_homes[i], True))
        elif case.crime != "sex purchase" or rng.random() < 0.15:
            for _ in range(rng.randint(1, 2)):
                country = _weighted(rng, _NETWORK_ORIGINS) if rng.random() < 0.7 else "SE"
                person = self.plan.people[(country, rng.random() < 0.25)].draw()
                phones = [self.plan.phones["SE" if rng.random() < 0.7 else country].draw()]
                home = _swedish_address(rng, cs.town, self.plan.taken_addresses) if rng.random() < 0.5 else None
                chosen.append((person, phones, home, False))
        for person, phones, home, recurring in chosen:
            ref = cs.ref("S" if cs.source_style != "report" else "P")
            doc = cs.doc()
            self.person(cs, ref, person, "suspect", doc, recurring)
            used = phones if len(phones) == 1 or rng.random() < 0.4 else rng.sample(phones, 1)
            for phone in used:
                self.phone(cs, phone, ref, doc)
            if home is not None and rng.random() < 0.45:
                self.address(cs, home, ref, "residence", doc)
            cs.controllers.append((ref, used))
        for ref, _ in cs.controllers[1:]:
            if rng.random() < 0.7:
                self.row("associations", (case.case_id, cs.controllers[0][0], ref, "co-offender", cs.doc()))
        if len(cs.controllers) > 1 and rng.random() < 0.6:
            a, b = rng.sample(cs.controllers, 2)
            self.call(cs, rng.choice(a[1]), rng.choice(b[1]), rng.randint(5, 220))

    def victim(self, cs: _CaseState) -> None:
        rng, ring = self.rng, cs.ring
        person, phones, recurring = None, None, False
        if ring is not None and rng.random() < 0.65:
            free = [i for i in range(len(ring.victims)) if (ring.victims[i].first, ring.victims[i].birth)
                    not in cs.people]
            if free:
                i = rng.choice(free)
                person, phones, recurring = ring.victims[i], ring.victim_phones[i], True
        if person is None:
            country = _weighted(rng, _VICTIM_ORIGINS)
            person = self.plan.people[(country, rng.random() < 0.92)].draw()
            phones = [self.plan.phones["SE" if rng.random() < 0.6 else country].draw()]
        ref = cs.ref("V" if cs.source_style != "report" else "P")
        doc = cs.doc()
        self.person(cs, ref, person, "victim", doc, recurring)
        used = phones if len(phones) == 1 or rng.random() < 0.3 else [rng.choice(phones)]
        for phone in used:
            self.phone(cs, phone, ref if rng.random() < 0.9 else "", doc)
        cs.victims.append((ref, used, person))
        if rng.random() < 0.75:
            self.advert(cs, used[0])
        if rng.random() < 0.6:
            self.stay(cs, ref)
        if cs.controllers:
            ctrl_ref, ctrl_phones = rng.choice(cs.controllers)
            if rng.random() < 0.7:
                self.call(cs, rng.choice(ctrl_phones), used[0], rng.randint(8, 400))
            if rng.random() < 0.8:
                kind = _ASSOCIATION_KINDS[0] if rng.random() < 0.8 else rng.choice(_ASSOCIATION_KINDS[1:])
                self.row("associations", (cs.case.case_id, ctrl_ref, ref, kind, doc))
        if rng.random() < 0.3:
            flats = [f for f in ring.flats if f.city == _TOWNS[cs.town][0]] if ring else []
            flat = rng.choice(flats) if flats else _swedish_address(rng, cs.town, self.plan.taken_addresses)
            self.address(cs, flat, ref, "incident" if rng.random() < 0.85 else "other", doc)

    def buyer(self, cs: _CaseState) -> None:
        rng = self.rng
        recurring = False
        if self.recent_buyers and rng.random() < 0.04:
            person, phone = rng.choice(self.recent_buyers)
            recurring = (person.first, person.birth) not in cs.people
        if not recurring:
            person = self.plan.people[("SE", rng.random() < 0.01)].draw()
            phone = self.plan.phones["SE"].draw()
            self.recent_buyers.append((person, phone))
            if len(self.recent_buyers) > 300:
                del self.recent_buyers[: len(self.recent_buyers) - 300]
        ref = cs.ref("K" if cs.source_style == "report" and rng.random() < 0.5 else "P")
        doc = cs.doc()
        self.person(cs, ref, person, "buyer", doc, recurring)
        if rng.random() < 0.85:
            self.phone(cs, phone, ref, doc)
            if rng.random() < 0.85:
                target = rng.choice(cs.contacts) if cs.contacts else rng.choice(cs.victims)[1][0]
                self.call(cs, phone, target, rng.randint(1, 6))
        if rng.random() < 0.15:
            self.address(cs, _swedish_address(rng, cs.town, self.plan.taken_addresses), ref, "residence", doc,
                         optional_postcode=True)

    def more(self, cs: _CaseState) -> None:
        rng = self.rng
        r = rng.random()
        ref, phones, _person = rng.choice(cs.victims)
        if r < 0.35:
            self.stay(cs, ref if not cs.controllers or rng.random() < 0.85 else rng.choice(cs.controllers)[0])
        elif r < 0.55:
            self.advert(cs, rng.choice(phones))
        elif r < 0.8 and cs.controllers:
            self.call(cs, rng.choice(rng.choice(cs.controllers)[1]), rng.choice(phones), rng.randint(3, 150))
        elif r < 0.9:
            hotel = self.pick_hotel(cs)
            if hotel.name in cs.hotels:
                self.stay(cs, ref)
            else:
                self.hotel(cs, hotel)
        else:
            witness = self.plan.people[("SE", rng.random() < 0.6)].draw()
            self.person(cs, cs.ref("W" if cs.source_style == "report" else "P"), witness,
                        "witness" if rng.random() < 0.8 else "other", cs.doc(), False)

    # -- rows --------------------------------------------------------------------------------

    def person(self, cs: _CaseState, ref: str, person: _Person, role: str, doc: str, recurring: bool) -> None:
        rng = self.rng
        cs.people.add((person.first, person.birth))
        name, birth, nid = person.name, person.birth, ""
        r = rng.random()
        if recurring and r < 0.28:
            name, birth = self.variant(person), self.variant_birth(person)
        else:
            if recurring and person.national_id and r < 0.45:
                name = self.variant(person)  # joined on the national id despite the spelling
                nid = person.national_id
            elif person.national_id and rng.random() < (0.85 if person.country == "SE" else 0.5):
                nid = person.national_id
            name = self.messy(name)
            if not recurring and not nid and role != "buyer" and rng.random() < 0.08:
                birth = ""
        if nid and person.country == "SE" and rng.random() < 0.5:
            nid = f"{nid[:8]}-{nid[8:]}"
        nationality = person.country
        x = rng.random()
        if x < 0.05:
            nationality = nationality.lower()
        elif x < 0.12 and role != "buyer":
            nationality = ""
        if rng.random() < 0.04:
            role = role.capitalize()
        self.row("persons", (cs.case.case_id, ref, name, birth, nationality, nid, role, doc))

    def messy(self, name: str) -> str:
        """A spelling of ``name`` that folds to the same key: upper-case surname, no diacritics."""
        r = self.rng.random()
        if r < 0.08:
            first, _, last = name.rpartition(" ")
            return f"{first} {last.upper()}"
        if r < 0.16:
            return _ascii(name)
        return name

    def variant(self, person: _Person) -> str:
        """A near-variant of the person's name that folds differently (for the review)."""
        rng = self.rng
        first, last = person.first, person.last
        options = []
        if first in _ALTERNATIVES:
            options.append(f"{rng.choice(_ALTERNATIVES[first])} {last}")
        if last in _ALTERNATIVES:
            options.append(f"{first} {rng.choice(_ALTERNATIVES[last])}")
        for end, others in _ENDINGS:
            if last.endswith(end):
                options.append(f"{first} {last[: -len(end)]}{rng.choice(others)}")
        swapped = f"{first} {last}" if person.country == "HU" else f"{last} {first}"
        options += [swapped, swapped.upper() if rng.random() < 0.5 else swapped, self.typo(first, last)]
        canonical = normalise.fold_text(person.name)
        for name in (rng.choice(options), swapped):
            if normalise.fold_text(name) != canonical:
                return name
        return swapped

    def typo(self, first: str, last: str) -> str:
        rng = self.rng
        in_last = len(last) > 3
        word = last if in_last else first
        i = rng.randint(1, len(word) - 2)
        r = rng.random()
        if r < 0.4:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif r < 0.7:
            word = word[:i] + word[i] + word[i:]
        else:
            word = word[:i] + word[i + 1:]
        return f"{first} {word}" if in_last else f"{word} {last}"

    def variant_birth(self, person: _Person) -> str:
        r = self.rng.random()
        if r < 0.65:
            return person.birth
        if r < 0.9:
            return ""
        y, m, d = person.birth.split("-")
        return f"{y}-{d}-{m}" if int(d) <= 12 and d != m else ""

    def phone(self, cs: _CaseState, phone: tuple[str, str], ref: str, doc: str) -> None:
        rng = self.rng
        number, hint = _spell_phone(rng, phone, True)
        first = last = ""
        if rng.random() < 0.6:
            day = rng.randint(cs.lo, cs.hi)
            first = _iso(day)
            if rng.random() < 0.6:
                last = _iso(day + rng.randint(0, 120))
        self.row("phones", (cs.case.case_id, number, ref, hint, first, last, doc))

    def call(self, cs: _CaseState, a: tuple[str, str], b: tuple[str, str], count: int) -> None:
        rng = self.rng
        if a == b:
            return
        if rng.random() < 0.3:
            a, b = b, a
        day = rng.randint(cs.lo, cs.hi)
        first = _iso(day) if rng.random() < 0.92 else ""
        last = _iso(day + rng.randint(0, 90)) if first and rng.random() < 0.85 else ""
        self.row("calls", (cs.case.case_id, _spell_phone(rng, a, False)[0], _spell_phone(rng, b, False)[0],
                           first, last, str(count) if rng.random() < 0.9 else "", cs.tel()))

    def address(self, cs: _CaseState, address: _Address, ref: str, kind: str, doc: str,
                optional_postcode: bool = False) -> None:
        street, postcode, city = address.spell(self.rng)
        if optional_postcode and self.rng.random() < 0.3:
            postcode = ""
        country = address.country if self.rng.random() < 0.95 else address.country.lower()
        self.row("addresses", (cs.case.case_id, street, postcode, city, country, ref, kind, doc))

    def pick_hotel(self, cs: _CaseState) -> _Hotel:
        rng = self.rng
        town = cs.town
        if cs.ring is not None and rng.random() < 0.25:
            town = rng.choice(cs.ring.route)
        hotels = self.plan.hotels[town]
        # A few hotels get most of the trade: the first ones of the town's list.
        return hotels[min(int(rng.random() ** 2.2 * len(hotels)), len(hotels) - 1)]

    def hotel(self, cs: _CaseState, hotel: _Hotel) -> None:
        rng = self.rng
        cs.hotels.add(hotel.name)
        if rng.random() < 0.75:
            street, postcode, city = hotel.address.spell(rng)
        else:
            street, postcode, city = "", "", hotel.address.spell(rng)[2]
        self.row("hotels", (cs.case.case_id, hotel.spell(rng), street, postcode, city, "SE", cs.listing()))

    def stay(self, cs: _CaseState, ref: str) -> None:
        rng = self.rng
        hotel = self.pick_hotel(cs)
        if hotel.name not in cs.hotels and rng.random() < 0.5:
            self.hotel(cs, hotel)
        day = rng.randint(cs.lo, cs.hi)
        check_in = _iso(day)
        if rng.random() < 0.3:
            check_in += f"T{rng.randint(12, 23):02d}:{rng.choice(('00', '15', '30', '45', '05', '50'))}"
        check_out = _iso(day + rng.randint(1, 5)) if rng.random() < 0.85 else ""
        room = ""
        if rng.random() < 0.7:
            room = str(rng.randint(1, 6) * 100 + rng.randint(1, 40))
        city = _TOWNS[hotel.town][0]
        city = city if rng.random() < 0.92 else rng.choice((city.upper(), city.lower(), _ascii(city)))
        country = "SE" if rng.random() < 0.7 else "" if rng.random() < 0.5 else "se"
        self.row("stays", (cs.case.case_id, ref, hotel.spell(rng), city, country, check_in, check_out, room,
                           cs.listing() if rng.random() < 0.6 else cs.doc()))

    def advert(self, cs: _CaseState, phone: tuple[str, str]) -> None:
        rng, ring = self.rng, cs.ring
        if ring is not None and ring.adverts and rng.random() < 0.25:
            site, advert_id, phone = rng.choice(ring.adverts)
            s = next(i for i, x in enumerate(_SITES) if x[0] == site)
        else:
            if ring is not None and rng.random() < 0.3:
                phone = ring.advert_phone
            s = rng.randrange(len(_SITES))
            site = _SITES[s][0]
            self.advert_ids[s] += rng.randint(1, 60)
            k = self.advert_ids[s]
            if _SITES[s][1] == "digits":
                advert_id = str(100000 + _permute(k, 9_900_000, self.advert_key + s))
            else:
                advert_id = _base36(_permute(k, 36 ** 7, self.advert_key + s)).rjust(7, "0")
            if ring is not None:
                ring.adverts.append((site, advert_id, phone))
                if len(ring.adverts) > 8:
                    del ring.adverts[0]
        cs.contacts.append(phone)
        if len(cs.contacts) > 20:
            del cs.contacts[0]
        town = _TOWNS[cs.town][0]
        path = _SITES[s][2].format(id=advert_id, city=_ascii(town).lower())
        r = rng.random()
        shown = f"www.{site}" if r < 0.3 else f"https://{site}/" if r < 0.4 else site
        url = f"https://{'www.' if rng.random() < 0.5 else ''}{site}{path}" if rng.random() < 0.8 else ""
        posted = _iso(rng.randint(cs.lo, cs.hi)) if rng.random() < 0.9 else ""
        number = _spell_phone(rng, phone, False)[0] if rng.random() < 0.95 else ""
        source = cs.monitoring() if rng.random() < 0.5 else cs.doc()
        self.row("adverts", (cs.case.case_id, advert_id, shown, url, posted, town if rng.random() < 0.8 else "",
                             number, source))


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"
