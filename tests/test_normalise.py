"""Normalisation and match keys (DESIGN.md 3 "Resolution", 4 input format).

Each group checks equivalence classes (spellings that must give one key), distinctions (values
that must *not* meet, since a false merge links unrelated cases) and refusals with their reason.
"""

from __future__ import annotations

import pytest

from ingest.normalise import (
    NormaliseError,
    address_key,
    advert_key,
    fold_text,
    hotel_key,
    name_tokens,
    normalise_country,
    normalise_date,
    normalise_name,
    normalise_phone,
    normalise_postcode,
    normalise_site,
    normalise_street,
)


def test_error_is_a_value_error() -> None:
    """Callers that only know ValueError (the CSV reader's fallback) still catch it."""
    assert issubclass(NormaliseError, ValueError)


# ---------------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "raw",
    [
        "070-123 45 67",
        "+46 70 123 45 67",
        "0046701234567",
        "(070) 123 45 67",
        "0701234567",
        "+46701234567",
        "00 46 70 123 45 67",
        "+46 (0)70 123 45 67",
        "070.123.45.67",
        "070/123 45 67",
        "  070-123 45 67  ",
        "\u00a0070\u2011123\u00a045\u00a067",  # no-break spaces, non-breaking hyphen
        "070\u2013123 45 67",  # en dash
        "０７０１２３４５６７",  # full-width digits
        "(+46) 70 123 45 67",
    ],
)
def test_swedish_mobile_spellings_are_one_phone(raw: str) -> None:
    assert normalise_phone(raw) == "+46701234567"


@pytest.mark.parametrize("region", ["SE", "se", " Se ", "", "   ", None])
def test_region_hint_is_case_insensitive_and_blank_means_sweden(region: str | None) -> None:
    assert normalise_phone("070-123 45 67", region) == "+46701234567"


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("0803 123 4567", "NG", "+2348031234567"),
        ("+234 (0)803 123 4567", "SE", "+2348031234567"),
        ("0712 345 678", "RO", "+40712345678"),
        ("512 345 678", "PL", "+48512345678"),
        ("08-123 456 78", "SE", "+46812345678"),
        ("+383 44 123 456", "XK", "+38344123456"),
        # A written international number ignores the hint.
        ("+46 70 123 45 67", "RO", "+46701234567"),
        ("+46 70 123 45 67", "AQ", "+46701234567"),
    ],
)
def test_region_hint_gives_the_country_of_national_numbers(
    raw: str, region: str, e164: str
) -> None:
    assert normalise_phone(raw, region) == e164


def test_same_national_digits_differ_by_region() -> None:
    """The hint matters: one spelling, two countries, two phones."""
    assert normalise_phone("0712 345 678", "RO") != normalise_phone("0712 345 678", "SE")


@pytest.mark.parametrize("region", ["SE", "NG", "RU", "US", "RO"])
def test_leading_00_is_international_whatever_the_hint(region: str) -> None:
    """phonenumbers alone reads 0046... with hint NG as +234046... and with US as +1004..."""
    assert normalise_phone("0046701234567", region) == "+46701234567"


def test_possible_but_unassigned_number_is_kept() -> None:
    """is_possible, not is_valid: new ranges and prepaid series must not be refused."""
    import phonenumbers

    number = phonenumbers.parse("+4670123456")
    assert not phonenumbers.is_valid_number(number)
    assert normalise_phone("+46 70 123 456") == "+4670123456"


@pytest.mark.parametrize(
    ("raw", "region", "reason"),
    [
        ("12ab", "SE", "cannot parse phone number '12ab'"),
        ("070 abc 123", "SE", "cannot parse phone number '070 abc 123'"),  # not a keypad word
        ("070-FLOWERS", "SE", "cannot parse phone number"),
        ("070 123 45 67 ext 12", "SE", "cannot parse phone number"),  # extensions refused
        ("0701234567;ext=1", "SE", "cannot parse phone number"),
        ("tel:+46701234567", "SE", "cannot parse phone number"),
        ("46+701234567", "SE", "misplaced '+'"),
        ("++46701234567", "SE", "misplaced '+'"),
        ("+999 123 4567", "SE", "unknown country code"),
        ("+46 7", "SE", "too short"),
        ("070", "SE", "not a possible phone number '070': too short"),
        ("112", "SE", "not a possible phone number"),
        ("0701234567890123", "SE", "too long"),
        ("+46 70 1234 5678 9012", "SE", "too long"),
        ("0701234567", "AQ", "AQ has no numbering plan"),
        ("0701234567", "XX", "bad country hint: unknown country code 'XX'"),
        ("0701234567", "UK", "use 'GB'"),
        ("", "SE", "phone number is empty"),
        ("   ", "SE", "phone number is empty"),
        ("---", "SE", "cannot parse phone number '---'"),
    ],
)
def test_bad_phone_numbers_are_refused_with_a_reason(
    raw: str, region: str, reason: str
) -> None:
    with pytest.raises(NormaliseError) as info:
        normalise_phone(raw, region)
    assert reason in str(info.value)


# ------------------------------------------------------------------------------- countries


@pytest.mark.parametrize(
    ("raw", "code"),
    [("SE", "SE"), ("se", "SE"), (" ro ", "RO"), ("Ng", "NG"), ("gb", "GB"), ("AQ", "AQ"),
     ("XK", "XK")],
)
def test_country_codes_are_upper_case_alpha2(raw: str, code: str) -> None:
    assert normalise_country(raw) == code


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("XX", "unknown country code 'XX'"),
        ("ZZ", "unknown country code"),
        ("AC", "unknown country code"),  # phonenumbers region, not an ISO 3166-1 country
        ("TA", "unknown country code"),
        ("UK", "'UK' is not an ISO 3166-1 code; use 'GB'"),
        ("EL", "use 'GR'"),
        ("SWE", "not a two-letter ISO 3166-1 code"),
        ("Sweden", "not a two-letter ISO 3166-1 code"),
        ("S1", "not a two-letter"),
        ("", "country code is empty"),
        ("  ", "country code is empty"),
    ],
)
def test_unknown_country_codes_are_refused(raw: str, reason: str) -> None:
    with pytest.raises(NormaliseError) as info:
        normalise_country(raw)
    assert reason in str(info.value)


# ------------------------------------------------------------------------------ fold_text


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Malmö", "Malmo"),
        ("MALMÖ", "malmo"),
        ("Göteborg", "goteborg"),
        ("Åre", "are"),
        ("Ängelholm", "angelholm"),
        ("Şerban", "Serban"),
        ("Ștefan", "Stefan"),
        ("Łódź", "Lodz"),
        ("Søren", "Soren"),
        ("Straße", "strasse"),
        ("İstanbul", "istanbul"),
        ("O'Brien", "OBrien"),
        ("O’Brien", "obrien"),
        ("Anna-Karin", "Anna Karin"),
        ("  a \t b\n c ", "a b c"),
        ("ﬁne", "fine"),  # compatibility ligature
    ],
)
def test_fold_text_equivalences(a: str, b: str) -> None:
    assert fold_text(a) == fold_text(b)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Malmö", "malmo"),
        ("  Storgatan   5 ", "storgatan 5"),
        ("a|b", "a b"),
        ("St. Eriksgatan, 5!", "st eriksgatan 5"),
        ("Москва", "москва"),  # other scripts kept, lower-cased
        ("", ""),
        ("---", ""),
    ],
)
def test_fold_text_values(raw: str, folded: str) -> None:
    assert fold_text(raw) == folded


def test_fold_text_keeps_distinct_words_distinct() -> None:
    assert fold_text("Malmö") != fold_text("Malma")
    assert fold_text("ab c") != fold_text("abc")


# ------------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    "street",
    [
        "Storgatan 5",
        "STORGATAN  5",
        "Storg. 5",
        "Storg.5",
        "storgatan 5",
        "Stor gatan 5",
        "Storgat. 5",
        " Storgatan 5 ",
        "Storgatan5",
    ],
)
def test_storgatan_spellings_are_one_address(street: str) -> None:
    assert address_key(street, "123 45", "Stockholm", "SE") == "storgatan 5|12345|stockholm|SE"


@pytest.mark.parametrize("street", ["Storgatan 5B", "Storgatan 5 B", "storg. 5b", "STORG.5 b"])
def test_house_letter_is_split_from_the_number(street: str) -> None:
    assert normalise_street(street) == "storgatan 5 b"


@pytest.mark.parametrize(
    ("street", "key_street"),
    [
        ("Ringv. 3", "ringvagen 3"),
        ("Ringvg. 3", "ringvagen 3"),
        ("Ringvägen 3", "ringvagen 3"),
        ("Ring vägen 3", "ringvagen 3"),
        ("Sveav. 44", "sveavagen 44"),
        ("Medborgarpl. 3", "medborgarplatsen 3"),
        ("Medborgarplatsen 3", "medborgarplatsen 3"),
        ("Drottning gatan 1", "drottninggatan 1"),
        ("S:t Eriksgatan 12", "sankt eriksgatan 12"),
        ("S:t Eriksg. 12", "sankt eriksgatan 12"),
        ("Sankt Eriks gatan 12", "sankt eriksgatan 12"),
        ("St:a Nygatan 3", "stora nygatan 3"),
        ("L:a Nygatan 3", "lilla nygatan 3"),
        ("Ö:a Hamngatan 3", "ostra hamngatan 3"),
        ("V:a Hamngatan 3", "vastra hamngatan 3"),
        ("N:a Vallgatan 3", "norra vallgatan 3"),
        ("S:a Förstadsgatan 3", "sodra forstadsgatan 3"),
        ("Kungsg., 3 tr", "kungsgatan 3 tr"),
        ("Kungsg.", "kungsgatan"),
        ("Järntorget 2", "jarntorget 2"),
        ("Järn torget 2", "jarntorget 2"),
    ],
)
def test_swedish_abbreviation_table(street: str, key_street: str) -> None:
    assert normalise_street(street, "SE") == key_street


@pytest.mark.parametrize(
    ("street", "key_street"),
    [
        # Dotless glued "g" is not gatan: Solberg 12 and Berg 3 are real village addresses.
        ("Solberg 12", "solberg 12"),
        ("Storg 5", "storg 5"),
        # "uppg." (uppgång, an entrance) is not a street type, nor before a letter.
        ("Sveavägen 44, uppg. B", "sveavagen 44 uppg b"),
        ("Sveavägen 44 uppg. 2", "sveavagen 44 uppg 2"),
        # A lone "g."/"v." is not expanded ("V." may be Västra).
        ("V. Hamngatan 3", "v hamngatan 3"),
        # "St." is ambiguous (Sankt or Stora) and stays as written.
        ("St. Nygatan 3", "st nygatan 3"),
        # A number after "gatan" does not join it to the word before.
        ("Storgatan 5 gatan", "storgatan 5 gatan"),
    ],
)
def test_swedish_table_stops_where_text_is_ambiguous(street: str, key_street: str) -> None:
    assert normalise_street(street, "SE") == key_street


def test_swedish_table_applies_to_swedish_addresses_only() -> None:
    assert normalise_street("Storg. 5", "NO") == "storg 5"
    assert normalise_street("Königsweg. 5", "DE") == "konigsweg 5"
    assert normalise_street("Hauptstr. 5a", "DE") == "hauptstr 5 a"


@pytest.mark.parametrize(
    ("city_a", "city_b"), [("Malmö", "Malmo"), ("MALMÖ", "malmö"), ("Malmö ", " malmo")]
)
def test_city_accents_and_case_do_not_matter(city_a: str, city_b: str) -> None:
    assert address_key("Storgatan 5", "211 20", city_a, "SE") == address_key(
        "Storg. 5", "21120", city_b, "se"
    )


@pytest.mark.parametrize(
    ("other", "why"),
    [
        (("Storgatan 7", "12345", "Stockholm", "SE"), "house number"),
        (("Storgatan 5 B", "12345", "Stockholm", "SE"), "house letter"),
        (("Storgatan 5", "12346", "Stockholm", "SE"), "postcode"),
        (("Storgatan 5", "12345", "Uppsala", "SE"), "city"),
        (("Storgatan 5", "", "Stockholm", "SE"), "empty postcode"),
        (("Storvägen 5", "12345", "Stockholm", "SE"), "street type"),
    ],
)
def test_different_addresses_keep_different_keys(other: tuple[str, ...], why: str) -> None:
    base = address_key("Storgatan 5", "123 45", "Stockholm", "SE")
    assert address_key(*other) != base, why


def test_address_key_format_and_empty_postcode() -> None:
    assert address_key("Storgatan 5", "", "Stockholm", "se") == "storgatan 5||stockholm|SE"
    assert address_key("Rue de la Paix 1", "75002", "Paris", "FR") == (
        "rue de la paix 1|75002|paris|FR"
    )


def test_no_key_part_can_hold_the_separator() -> None:
    key = address_key("Storgatan|5", "12345", "Stock|holm", "SE")
    assert key.count("|") == 3
    assert key == "storgatan 5|12345|stock holm|SE"


@pytest.mark.parametrize(
    ("postcode", "country", "compact"),
    [
        ("123 45", "SE", "12345"),
        ("12345", "SE", "12345"),
        ("SE-123 45", "SE", "12345"),
        ("S-123 45", "SE", "12345"),
        ("se-12345", "SE", "12345"),
        ("", "SE", ""),
        ("  ", "SE", ""),
        ("00-950", "PL", "00950"),
        ("sw1a 1aa", "GB", "SW1A1AA"),
        ("010011", "RO", "010011"),
    ],
)
def test_postcodes(postcode: str, country: str, compact: str) -> None:
    assert normalise_postcode(postcode, country) == compact


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("", "12345", "Stockholm", "SE"), "street is empty"),
        (("...", "12345", "Stockholm", "SE"), "street is empty"),
        (("Storgatan 5", "12345", "", "SE"), "city is empty"),
        (("Storgatan 5", "1234", "Stockholm", "SE"), "Swedish postcode '1234' is not five digits"),
        (("Storgatan 5", "123 456", "Stockholm", "SE"), "not five digits"),
        (("Storgatan 5", "ABCDE", "Stockholm", "SE"), "not five digits"),
        (("Hauptstr. 5", "10115!", "Berlin", "DE"), "bad postcode '10115!'"),
        (("Storgatan 5", "12345", "Stockholm", "Sweden"), "not a two-letter ISO 3166-1 code"),
        (("Storgatan 5", "12345", "Stockholm", "XX"), "unknown country code 'XX'"),
        (("Storgatan 5", "12345", "Stockholm", ""), "country code is empty"),
    ],
)
def test_bad_addresses_are_refused(args: tuple[str, ...], reason: str) -> None:
    with pytest.raises(NormaliseError) as info:
        address_key(*args)
    assert reason in str(info.value)


# ---------------------------------------------------------------------------------- hotels


@pytest.mark.parametrize(
    "name", ["Hotel Nordic", "Nordic Hotel", "HOTELL NORDIC", "Nordic", "nordic  hotellet"]
)
def test_hotel_word_at_either_end_is_dropped(name: str) -> None:
    assert hotel_key(name, "Stockholm", "SE") == "nordic|stockholm|SE"


@pytest.mark.parametrize(
    ("name", "key_name"),
    [
        ("Clarion Hotel Sign", "clarion hotel sign"),  # inside the name: kept
        ("Hotel", "hotel"),  # nothing but the word: kept
        ("Hotel Hotel", "hotel"),
        ("Nordic Hostel", "nordic hostel"),
        ("Vandrarhem Nordic", "vandrarhem nordic"),
        ("Hôtel Château", "chateau"),
        ("Scandic Malmö City", "scandic malmo city"),
    ],
)
def test_hotel_names(name: str, key_name: str) -> None:
    assert hotel_key(name, "Malmö", "SE") == f"{key_name}|malmo|SE"


def test_same_hotel_name_in_another_city_or_country_is_another_hotel() -> None:
    base = hotel_key("Hotel Nordic", "Stockholm", "SE")
    assert hotel_key("Hotel Nordic", "Göteborg", "SE") != base
    assert hotel_key("Hotel Nordic", "Stockholm", "US") != base
    assert hotel_key("Hotel Nordica", "Stockholm", "SE") != base


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("", "Stockholm", "SE"), "hotel name is empty"),
        (("Nordic", " ", "SE"), "city is empty"),
        (("Nordic", "Stockholm", "SWE"), "not a two-letter"),
    ],
)
def test_bad_hotels_are_refused(args: tuple[str, str, str], reason: str) -> None:
    with pytest.raises(NormaliseError) as info:
        hotel_key(*args)
    assert reason in str(info.value)


# --------------------------------------------------------------------------------- persons


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Anna-Karin Öberg", "anna karin oberg"),
        ("  ANNA   KARIN  ÖBERG ", "anna karin oberg"),
        ("Ioana Ștefănescu", "ioana stefanescu"),
        ("Chinwe O'Neil", "chinwe oneil"),
        ("Александр Петров", "aleksandr petrov"),
    ],
)
def test_normalise_name(name: str, folded: str) -> None:
    assert normalise_name(name) == folded


def test_name_order_is_kept_by_normalise_name_and_ignored_by_tokens() -> None:
    assert normalise_name("Ana Popescu") != normalise_name("Popescu Ana")
    assert name_tokens("Ana Popescu") == name_tokens("POPESCU, Ana") == ("ana", "popescu")


def test_name_tokens_keep_repeated_words() -> None:
    assert name_tokens("Maria Maria Ionescu") == ("ionescu", "maria", "maria")


@pytest.mark.parametrize("name", ["", "   ", "--", "."])
def test_empty_names_are_refused(name: str) -> None:
    with pytest.raises(NormaliseError, match="name is empty"):
        normalise_name(name)
    with pytest.raises(NormaliseError, match="name is empty"):
        name_tokens(name)


# ----------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2024-11-08", "2024-11-08"),
        (" 2024-11-08 ", "2024-11-08"),
        ("2024-11-08T22:15", "2024-11-08T22:15"),
        ("2024-11-08 22:15", "2024-11-08T22:15"),
        ("2024-11-08T22:15:07", "2024-11-08T22:15:07"),
        ("2024-11-08T22:15:00", "2024-11-08T22:15:00"),
        ("2024-02-29", "2024-02-29"),
        ("1987-01-01T00:00", "1987-01-01T00:00"),
    ],
)
def test_iso_dates_are_kept_in_their_precision(raw: str, iso: str) -> None:
    assert normalise_date(raw) == iso


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2024-13-01", "no such date or time '2024-13-01': month must be in 1..12"),
        ("2024-11-31", "no such date or time"),
        ("2023-02-29", "no such date or time"),
        ("2024-11-08T24:00", "no such date or time"),
        ("2024-11-08T22:60", "no such date or time"),
        ("08/11/2024", "date '08/11/2024' is not ISO 8601"),
        ("2024/11/08", "is not ISO 8601"),
        ("08.11.2024", "is not ISO 8601"),
        ("20241108", "is not ISO 8601"),
        ("2024-11-8", "is not ISO 8601"),
        ("2024-W45-5", "is not ISO 8601"),
        ("24-11-08", "is not ISO 8601"),
        ("2024-11-08T22", "is not ISO 8601"),
        ("2024-11-08T22:15Z", "has a time zone"),
        ("2024-11-08T22:15+01:00", "has a time zone"),
        ("2024-11-08T22:15:07.250", "fractions of a second"),
        ("nov 8 2024", "is not ISO 8601"),
        ("", "date is empty"),
    ],
)
def test_bad_dates_are_refused(raw: str, reason: str) -> None:
    with pytest.raises(NormaliseError) as info:
        normalise_date(raw)
    assert reason in str(info.value)


def test_canonical_dates_sort_as_text_in_time_order() -> None:
    spelt = ["2024-11-08 22:15", "2024-11-08", "2024-02-01T09:05", "2023-12-31T23:59:59"]
    assert sorted(normalise_date(d) for d in spelt) == [
        "2023-12-31T23:59:59",
        "2024-02-01T09:05",
        "2024-11-08",
        "2024-11-08T22:15",
    ]


# --------------------------------------------------------------------------------- adverts


@pytest.mark.parametrize(
    "site",
    [
        "escort.example",
        "ESCORT.example",
        "www.escort.example",
        "https://www.escort.example/",
        "http://escort.example",
        "escort.example.",
        " Escort.Example ",
    ],
)
def test_site_spellings_are_one_site(site: str) -> None:
    assert normalise_site(site) == "escort.example"
    assert advert_key(site, "A123") == "escort.example|A123"


def test_advert_ids_are_kept_as_written_except_outer_spaces() -> None:
    assert advert_key("escort.example", " Ab12 ") == "escort.example|Ab12"
    assert advert_key("escort.example", "ab12") != advert_key("escort.example", "AB12")
    assert advert_key("m.escort.example", "1") != advert_key("escort.example", "1")


@pytest.mark.parametrize(
    ("site", "advert_id", "reason"),
    [
        ("", "1", "advert site is empty"),
        ("https://", "1", "advert site is empty"),
        ("escort.example/ads/1", "1", "is not a host name"),
        ("escort example", "1", "is not a host name"),
        ("escort|example", "1", "is not a host name"),
        ("escort.example", "", "advert id is empty"),
        ("escort.example", "  ", "advert id is empty"),
    ],
)
def test_bad_adverts_are_refused(site: str, advert_id: str, reason: str) -> None:
    with pytest.raises(NormaliseError) as info:
        advert_key(site, advert_id)
    assert reason in str(info.value)
