"""The nine input files of DESIGN.md section 4, declared as data: columns, types, keys."""

from __future__ import annotations

from dataclasses import dataclass

from graphapp import model


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    #: text, date, country, phone, int, or enum (with ``choices``)
    type: str = "text"
    choices: tuple[str, ...] = ()
    default: str = ""


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[Column, ...]
    #: Columns whose values together must be unique within the file.
    unique: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(spec: str, **kw) -> Column:
    """``name*`` is required; ``name:type`` sets the type."""
    name, _, ctype = spec.partition(":")
    required = name.endswith("*")
    return Column(name.rstrip("*"), required=required, type=ctype or "text", **kw)


FILES: dict[str, FileSpec] = {
    f.name: f
    for f in (
        FileSpec(
            "cases.csv",
            (
                _c("case_id*"), _c("title*"), _c("unit*"), _c("opened:date"),
                _c("classification:enum", choices=model.CASE_CLASSIFICATIONS, default="normal"),
                _c("crime"), _c("jit"), _c("description"), _c("contact"),
            ),
            unique=("case_id",),
        ),
        FileSpec(
            "persons.csv",
            (
                _c("case_id*"), _c("person_ref*"), _c("name*"), _c("birth_date:date"),
                _c("nationality:country"), _c("national_id"),
                _c("role:enum", choices=model.PERSON_ROLES, default="other"), _c("source*"),
            ),
            unique=("case_id", "person_ref"),
        ),
        FileSpec(
            "phones.csv",
            (
                _c("case_id*"), _c("number*:phone"), _c("person_ref"), _c("country_hint:country"),
                _c("first_seen:date"), _c("last_seen:date"), _c("source*"),
            ),
        ),
        FileSpec(
            "addresses.csv",
            (
                _c("case_id*"), _c("street*"), _c("postcode"), _c("city*"), _c("country*:country"),
                _c("person_ref"), _c("kind:enum", choices=model.ADDRESS_KINDS, default="residence"),
                _c("source*"),
            ),
        ),
        FileSpec(
            "hotels.csv",
            (
                _c("case_id*"), _c("hotel_name*"), _c("street"), _c("postcode"), _c("city*"),
                _c("country*:country"), _c("source*"),
            ),
        ),
        FileSpec(
            "stays.csv",
            (
                _c("case_id*"), _c("person_ref*"), _c("hotel_name*"), _c("city*"),
                _c("country:country", default="SE"), _c("check_in*:date"), _c("check_out:date"),
                _c("room"), _c("source*"),
            ),
        ),
        FileSpec(
            "calls.csv",
            (
                _c("case_id*"), _c("from_number*:phone"), _c("to_number*:phone"),
                _c("first_call:date"), _c("last_call:date"), _c("count:int"), _c("source*"),
            ),
        ),
        FileSpec(
            "adverts.csv",
            (
                _c("case_id*"), _c("advert_id*"), _c("site*"), _c("url"), _c("posted:date"),
                _c("city"), _c("number:phone"), _c("source*"),
            ),
        ),
        FileSpec(
            "associations.csv",
            (
                _c("case_id*"), _c("person_ref_a*"), _c("person_ref_b*"), _c("kind*"),
                _c("source*"),
            ),
        ),
    )
}

#: Load order: cases first, then persons (facts point at them), then the rest.
LOAD_ORDER = tuple(FILES)
