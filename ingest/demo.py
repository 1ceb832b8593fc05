"""The demo scenario: four investigations along the E4 and E6 that share phones and hotels.

Names, numbers and places are invented. The shape follows the police reports in
``shared/context``: escort adverts, hotels and short-term rentals in towns along the European
highways, victims moved between cities, a Joint Investigation Team with Romania.
"""

from __future__ import annotations

import csv
from pathlib import Path

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


def write_scenario(directory: Path) -> Path:
    """Write the scenario's CSV files into ``directory`` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in FILES.items():
        with (directory / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    return directory
