"""Normalised values and match keys for ingest (DESIGN.md sections 3 "Resolution" and 4).

Pure functions, no I/O: the CSV validator calls them to check a cell, the loader calls them to
build the natural keys that decide which rows meet on one node (``Phone.e164``,
``Address.address_key``, ``Hotel.hotel_key``, ``Advert.advert_key``) and the person match keys.

A value that cannot be normalised raises :class:`NormaliseError` whose message is a short reason
meant for a person: it becomes the "reason" of a "file, line, column, reason" report.

Guiding rule: a key that merges two different things links unrelated cases (a false lead in a
trafficking investigation), while a key that misses a merge only loses a link that the person
review or a search can still find. So every rule here unifies spellings of *one* thing and stops
short where the same text could mean two things (see the abbreviation table below).

Keys never change once a node exists (DESIGN.md section 3): changing a rule here changes which
node new rows land on, so such a change needs a migration of existing keys.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Final

import phonenumbers
import pycountry
from anyascii import anyascii

__all__ = [
    "NormaliseError",
    "address_key",
    "advert_key",
    "fold_text",
    "hotel_key",
    "name_tokens",
    "normalise_country",
    "normalise_date",
    "normalise_name",
    "normalise_phone",
    "normalise_postcode",
    "normalise_site",
    "normalise_street",
]

#: The region assumed for a phone number written without its country code (DESIGN.md 3).
DEFAULT_REGION: Final = "SE"

#: Separates the parts of a composite key; :func:`fold_text` never lets it through.
KEY_SEP: Final = "|"


class NormaliseError(ValueError):
    """A value that cannot be normalised; ``str(exc)`` is the short reason for the report."""


# --------------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------------

#: ISO 3166-1 alpha-2 codes, from pycountry (Debian's iso-codes data, kept up to date with the
#: ISO 3166 maintenance agency's changes).
_ISO_ALPHA2: Final[frozenset[str]] = frozenset(c.alpha_2 for c in pycountry.countries)

#: Codes outside ISO 3166-1 that are accepted anyway. XK (Kosovo) is a user-assigned code, not
#: ISO, but it is the code the EU, Europol and passports use, and phonenumbers knows it (+383);
#: Kosovo nationals occur in these investigations and have no other code.
_EXTRA_ALPHA2: Final[frozenset[str]] = frozenset({"XK"})

#: Codes people write that are not the ISO code of the country they mean: reject with a hint.
_COUNTRY_HINTS: Final[dict[str, str]] = {"UK": "GB", "EL": "GR"}


@lru_cache(maxsize=1_024)  # a few hundred codes exist; rows repeat them
def normalise_country(code: str) -> str:
    """Return ``code`` as an upper-case ISO 3166-1 alpha-2 code (XK accepted), or raise.

    Only two-letter codes are accepted, not names or alpha-3 codes: the input format
    (DESIGN.md 4) says alpha-2, and guessing from names would hide export mistakes.
    """
    text = (code or "").strip()
    if not text:
        raise NormaliseError("country code is empty")
    upper = text.upper()
    if upper in _COUNTRY_HINTS:
        raise NormaliseError(
            f"{text!r} is not an ISO 3166-1 code; use {_COUNTRY_HINTS[upper]!r}"
        )
    if not re.fullmatch(r"[A-Z]{2}", upper):
        raise NormaliseError(f"country {text!r} is not a two-letter ISO 3166-1 code")
    if upper not in _ISO_ALPHA2 and upper not in _EXTRA_ALPHA2:
        raise NormaliseError(f"unknown country code {text!r}")
    return upper


# --------------------------------------------------------------------------------------------
# Phones
# --------------------------------------------------------------------------------------------

#: Formatting characters a written phone number may hold besides digits and a leading ``+``.
_PHONE_FORMATTING: Final = frozenset(" -./()")

_PARSE_ERRORS: Final[dict[int, str]] = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "not a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
    phonenumbers.NumberParseException.TOO_LONG: "too long",
}

_POSSIBILITY_ERRORS: Final[dict[int, str]] = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
    phonenumbers.ValidationResult.TOO_SHORT: "too short",
    phonenumbers.ValidationResult.TOO_LONG: "too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "wrong number of digits",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "local number without its area code",
}


def _phone_region(region: str | None) -> str:
    """The region hint as phonenumbers wants it: blank or None means the default, SE."""
    if region is None or not region.strip():
        return DEFAULT_REGION
    try:
        return normalise_country(region)
    except NormaliseError as exc:
        raise NormaliseError(f"bad country hint: {exc}") from None


def _clean_phone_text(raw: str) -> str:
    """Map digits and dashes of any script to ASCII and refuse letters and other symbols.

    Letters are refused because phonenumbers would read them as a keypad spelling
    (``070 abc 123`` becomes ``+4670222123``) or an extension, which a police record never means.
    """
    if _PLAIN_PHONE.fullmatch(raw):  # the usual spelling: nothing to map
        out = [raw]
    else:
        out = _mapped_phone_chars(raw)
    text = " ".join("".join(out).split())
    if text.count("+") > 1 or ("+" in text and not text.lstrip("(").startswith("+")):
        raise NormaliseError(f"cannot parse phone number {raw!r}: misplaced '+'")
    return text


_PLAIN_PHONE: Final = re.compile(r"[0-9+ ./()-]+")


def _mapped_phone_chars(raw: str) -> list[str]:
    out: list[str] = []
    for ch in raw:
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) == "Pd":
            out.append("-")
        elif ch.isdecimal():
            out.append(str(unicodedata.decimal(ch)))
        elif ch in _PHONE_FORMATTING or ch == "+":
            out.append(ch)
        else:
            raise NormaliseError(f"cannot parse phone number {raw!r}: unexpected {ch!r}")
    return out


@lru_cache(maxsize=20_000)  # the same spellings recur across rows (bounded: flat memory)
def normalise_phone(raw: str, region: str | None = DEFAULT_REGION) -> str:
    """Return the E.164 form of a written phone number (``+46701234567``), or raise.

    ``region`` is the row's country hint (ISO alpha-2, any case; None or blank means SE): the
    country a number written without its country code belongs to.

    - A leading ``00`` is read as the international prefix whatever the hint, as it is dialled
      from Sweden and most of Europe: phonenumbers alone would read ``0046...`` with hint NG
      (whose prefix is 009) as a Nigerian number ``+234046...``.
    - The number must be *possible* (``is_possible_number``: a known country code and a length
      that country uses) but need not be *valid* (``is_valid_number``: within an assigned
      range): new ranges and prepaid series reach police data before the library's metadata,
      and a number that is wrong but consistently spelt still links the records that share it.
      Numbers that are only dialable locally (a landline without its area code) are refused:
      their E.164 form would be wrong.
    """
    text = (raw or "").strip()
    if not text:
        raise NormaliseError("phone number is empty")
    hint = _phone_region(region)
    cleaned = _clean_phone_text(text)
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    if not cleaned.lstrip("(").startswith("+") and hint not in phonenumbers.SUPPORTED_REGIONS:
        raise NormaliseError(
            f"cannot parse phone number {text!r}: no country code, and {hint} has no numbering plan"
        )
    e164, problem = _e164(cleaned.translate(_SEPARATORS), hint)
    if problem:
        raise NormaliseError(problem.format(text=repr(text)))
    return e164


#: Separators that never change what phonenumbers reads (brackets can: "+46 (0)70…").
_SEPARATORS: Final = str.maketrans("", "", " -./")


@lru_cache(maxsize=50_000)  # one parse per number, however its rows space it (bounded)
def _e164(compact: str, hint: str) -> tuple[str, str]:
    """(E.164 form, "") or ("", reason with a {text} placeholder) for a cleaned number."""
    try:
        number = phonenumbers.parse(compact, hint)
    except phonenumbers.NumberParseException as exc:
        why = _PARSE_ERRORS.get(exc.error_type, "not a phone number")
        return "", f"cannot parse phone number {{text}}: {why}"
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
        why = _POSSIBILITY_ERRORS.get(possible, "not a possible number")
        return "", f"not a possible phone number {{text}}: {why}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


# --------------------------------------------------------------------------------------------
# Text folding
# --------------------------------------------------------------------------------------------

#: Letters that Unicode does not decompose into a base letter plus accent, folded by hand.
_LETTER_FOLDS: Final = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}
)

#: Apostrophes vanish rather than split a word: O'Brien, O’Brien and OBrien fold alike.
_APOSTROPHES: Final = frozenset("'’‘`´ʼʹ′")


def _fold_letters(text: str) -> str:
    """Case-fold and strip diacritics, keeping punctuation (abbreviation rules need the dots).

    Case-folding comes first so that letters whose folded form carries a mark (İ) lose it too.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return bare.translate(_LETTER_FOLDS)


def _drop_punctuation(text: str) -> str:
    """Turn every character but letters and digits into a word break; collapse whitespace."""
    out = []
    for ch in text:
        if ch.isalnum():
            out.append(ch)
        elif ch not in _APOSTROPHES:
            out.append(" ")
    return " ".join("".join(out).split())


@lru_cache(maxsize=20_000)  # cities, hotels and names recur across rows (bounded: flat memory)
def fold_text(text: str) -> str:
    """Fold text for matching: case, accents, punctuation and spacing no longer matter.

    Lower case (Unicode case-folding, so ß is ss), accents and diacritics removed (Malmö and
    Malmo, Şerban and Serban fold alike; Swedish å/ä/ö become a/a/o, which is a key, not a
    spelling), apostrophes removed, every other non-letter non-digit (hyphens, dots, commas,
    ``|``...) made a single space, leading and trailing space removed. Letters of other scripts
    are kept as they are: transliteration is for the person review, not for keys.
    """
    text = text or ""
    if text.isascii():  # the same result, without a pass over each character in Python
        return " ".join(text.lower().translate(_ASCII_BREAKS).split())
    return _drop_punctuation(_fold_letters(text))


#: What :func:`_drop_punctuation` does to ASCII characters that are not letters or digits:
#: apostrophes vanish, every other one is a word break.
_ASCII_BREAKS: Final = str.maketrans({
    chr(c): None if chr(c) in _APOSTROPHES else " "
    for c in range(128) if not chr(c).isalnum()
})


# --------------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------------

#: Swedish colon abbreviations (S:t Eriksgatan), expanded wherever they stand as a word.
#: They are unambiguous, unlike ``St.`` (Sankt or Stora: "St. Nygatan" is Stora Nygatan).
_COLON_ABBREVIATIONS: Final[dict[str, str]] = {
    "s:t": "sankt",
    "s:ta": "sankta",
    "st:a": "stora",
    "l:a": "lilla",
    "n:a": "norra",
    "s:a": "sodra",
    "o:a": "ostra",
    "v:a": "vastra",
}

#: Street-type abbreviations glued to the street name with a dot (Storg. 5), in folded form,
#: longest first. They count only when followed by a house number, a comma or the end of the
#: street, so that "uppg. B" (uppgång, an entrance) is left alone.
_GLUED_ABBREVIATIONS: Final[tuple[tuple[str, str], ...]] = (
    ("gat", "gatan"),
    ("vg", "vagen"),
    ("pl", "platsen"),
    ("g", "gatan"),
    ("v", "vagen"),
)

#: Words that look like a glued abbreviation but are not one.
_NOT_ABBREVIATIONS: Final = frozenset({"uppg", "ing", "adv"})

#: Street-type words written apart from the name ("Drottning gatan") are joined to it.
_STREET_SUFFIXES: Final = frozenset({"gatan", "vagen", "torget", "platsen", "grand"})

_COLON_RE: Final = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(a) for a in _COLON_ABBREVIATIONS) + r")(?!\w)"
)
_GLUED_RE: Final = re.compile(
    r"(?<!\w)(?P<stem>[^\W\d_]{2,}?)(?P<abbr>"
    + "|".join(a for a, _ in _GLUED_ABBREVIATIONS)
    + r")\.(?=\s*(?:\d|,|$))"
)
_DIGIT_LETTER_RE: Final = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")


def _expand_glued(match: re.Match[str]) -> str:
    word = match.group("stem") + match.group("abbr")
    if word in _NOT_ABBREVIATIONS:
        return match.group(0)
    return match.group("stem") + dict(_GLUED_ABBREVIATIONS)[match.group("abbr")] + " "


def _join_suffixes(words: list[str]) -> list[str]:
    """Join a separate street-type word to the name before it: "drottning gatan" → one word."""
    out: list[str] = []
    for word in words:
        if word in _STREET_SUFFIXES and out and out[-1].isalpha():
            out[-1] += word
        else:
            out.append(word)
    return out


def normalise_street(street: str, country: str = DEFAULT_REGION) -> str:
    """Return the folded street with house number, the first part of an address key.

    For Swedish addresses (country SE) the abbreviation table applies (``Storg. 5`` is
    ``storgatan 5``, ``S:t Eriksg. 1`` is ``sankt eriksgatan 1``; see the module's tables).
    Everywhere, a house number's letter is split from its digits (``5B`` = ``5 b``), so that
    ``Storgatan 5B`` and ``Storgatan 5 B`` meet.
    """
    country = normalise_country(country)
    text = _fold_letters(street or "")
    if country == "SE":
        text = _COLON_RE.sub(lambda m: " " + _COLON_ABBREVIATIONS[m.group(1)] + " ", text)
        text = _GLUED_RE.sub(_expand_glued, text)
    text = _DIGIT_LETTER_RE.sub(" ", _drop_punctuation(text))
    words = text.split()
    if country == "SE":
        words = _join_suffixes(words)
    if not words:
        raise NormaliseError("street is empty")
    return " ".join(words)


def normalise_postcode(postcode: str, country: str = DEFAULT_REGION) -> str:
    """Return the postcode without spaces or hyphens, upper case; empty stays empty.

    A prefix naming the country (``SE-123 45``, the older ``S-123 45``) is dropped. Swedish
    postcodes must then be five digits; elsewhere letters and digits, at most ten.
    """
    country = normalise_country(country)
    text = " ".join((postcode or "").upper().split())
    if not text:
        return ""
    prefixes = (f"{country}-", f"{country} ") + (("S-",) if country == "SE" else ())
    for prefix in prefixes:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    compact = re.sub(r"[\s-]", "", text)
    if country == "SE" and not re.fullmatch(r"\d{5}", compact):
        raise NormaliseError(f"Swedish postcode {postcode!r} is not five digits")
    if not re.fullmatch(r"[A-Z0-9]{2,10}", compact):
        raise NormaliseError(f"bad postcode {postcode!r}")
    return compact


def _city(city: str) -> str:
    folded = fold_text(city)
    if not folded:
        raise NormaliseError("city is empty")
    return folded


@lru_cache(maxsize=8_192)  # rows name the same addresses again and again (bounded)
def address_key(street: str, postcode: str, city: str, country: str) -> str:
    """Return ``street|postcode|city|COUNTRY``, e.g. ``storgatan 5|12345|stockholm|SE``.

    Street as :func:`normalise_street`, postcode as :func:`normalise_postcode` (may be empty),
    city folded, country as :func:`normalise_country`. No part can contain ``|``.
    """
    code = normalise_country(country)
    parts = (
        normalise_street(street, code),
        normalise_postcode(postcode, code),
        _city(city),
        code,
    )
    return KEY_SEP.join(parts)


# --------------------------------------------------------------------------------------------
# Hotels
# --------------------------------------------------------------------------------------------

#: Words for "hotel" dropped when they lead or trail a hotel's name ("Hotel Nordic",
#: "Nordic Hotel", "Hotell Nordic" and "Nordic" are one hotel in one city). Words inside a name
#: ("Clarion Hotel Sign") are kept, as is a name that is nothing but the word.
_HOTEL_WORDS: Final = frozenset({"hotel", "hotell", "hotellet"})


@lru_cache(maxsize=4_096)  # rows name the same hotels again and again (bounded)
def hotel_key(name: str, city: str, country: str) -> str:
    """Return ``name|city|COUNTRY`` with the name folded and a leading/trailing "hotel" dropped.

    Safe because the key includes the city: two hotels of one city whose names differ only by
    the word "hotel" at the start or end are, in practice, one hotel. "Hostel" and
    "vandrarhem" are other kinds of place and are kept.
    """
    code = normalise_country(country)
    words = fold_text(name).split()
    if not words:
        raise NormaliseError("hotel name is empty")
    if len(words) > 1 and words[0] in _HOTEL_WORDS:
        words = words[1:]
    if len(words) > 1 and words[-1] in _HOTEL_WORDS:
        words = words[:-1]
    return KEY_SEP.join((" ".join(words), _city(city), code))


# --------------------------------------------------------------------------------------------
# Persons
# --------------------------------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """Return a person's name folded, words in their written order ("Anna-Karin Öberg" →
    ``anna karin oberg``): the name half of the exact name + birth date match key.

    Other scripts are transliterated to Latin first (``anyascii``: "Александр Петров" →
    ``aleksandr petrov``), so records written in either script can meet.
    """
    folded = fold_text(anyascii(name))
    if not folded:
        raise NormaliseError("name is empty")
    return folded


def name_tokens(name: str) -> tuple[str, ...]:
    """Return the folded name's words sorted, so that a swapped order ("Popescu Ana" and
    "Ana Popescu") gives the same tuple; used for blocking and scoring near matches."""
    return tuple(sorted(normalise_name(name).split()))


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

_DATE_RE: Final = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)


@lru_cache(maxsize=8_192)  # dates recur across rows (bounded: flat memory)
def normalise_date(text: str) -> str:
    """Return an ISO 8601 date (``2024-11-08``) or local date-time (``2024-11-08T22:15``, with
    ``:SS`` only if seconds were given), or raise.

    Only the extended forms of DESIGN.md 4 are accepted, plus a space for the ``T`` (as
    spreadsheets write it). Refused: day-first or slashed dates (``08/11/2024`` is ambiguous),
    impossible dates (``2024-13-01``, ``2023-02-29``), fractions of a second, and time zones
    (stored dates compare as text, which mixed offsets would break).
    """
    value = (text or "").strip()
    if not value:
        raise NormaliseError("date is empty")
    match = _DATE_RE.fullmatch(value)
    if match is None:
        prefix = _DATE_RE.match(value)
        rest = value[prefix.end() :] if prefix else ""
        if prefix and prefix["H"] and re.fullmatch(r"(?:\.\d+)?(?:Z|[+-]\d{2}(?::?\d{2})?)", rest):
            raise NormaliseError(f"date {value!r} has a time zone; give local time without one")
        if prefix and prefix["S"] and re.fullmatch(r"[.,]\d+", rest):
            raise NormaliseError(f"date {value!r} has fractions of a second; drop them")
        raise NormaliseError(
            f"date {value!r} is not ISO 8601 (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])"
        )
    y, m, d = int(match["y"]), int(match["m"]), int(match["d"])
    try:
        if match["H"] is None:
            return date(y, m, d).isoformat()
        seconds = match["S"]
        moment = datetime(y, m, d, int(match["H"]), int(match["M"]), int(seconds or 0))
    except ValueError as exc:
        raise NormaliseError(f"no such date or time {value!r}: {exc}") from None
    return moment.isoformat(timespec="seconds" if seconds is not None else "minutes")


# --------------------------------------------------------------------------------------------
# Adverts
# --------------------------------------------------------------------------------------------


def normalise_site(site: str) -> str:
    """Return the advert site's host name: lower case, without scheme, ``www.``, trailing dot
    or slash (``https://WWW.Example.se/`` → ``example.se``). A path, spaces or ``|`` are
    refused: the column names a site, and a URL belongs in the ``url`` column."""
    text = (site or "").strip().casefold()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text).rstrip("/").rstrip(".")
    if text.startswith("www."):
        text = text[len("www.") :]
    if not text:
        raise NormaliseError("advert site is empty")
    if re.search(r"[\s/|?#@]", text):
        raise NormaliseError(f"advert site {site!r} is not a host name (put URLs in 'url')")
    return text


def advert_key(site: str, advert_id: str) -> str:
    """Return ``site|advert_id``: the site as :func:`normalise_site`, the id as written (ids
    may be case-sensitive) less surrounding spaces."""
    ident = (advert_id or "").strip()
    if not ident:
        raise NormaliseError("advert id is empty")
    return KEY_SEP.join((normalise_site(site), ident))
