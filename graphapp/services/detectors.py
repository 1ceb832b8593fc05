"""Trafficking pattern detectors: named checks over the caller's visible facts.

Each detector is a reviewed query under ``cypher/detectors/`` that starts from the caller's
allowed Case nodes and reads only their facts, plus the Python here that turns its rows into
findings: a title, a short summary, the entities involved and the facts behind the finding,
each with its case and source record, so that an investigator can check every one. The
patterns are those of the police reports behind DESIGN.md: escort adverts for the same number
town after town, victims kept at hotels and short-term rentals along the E-roads, phones
handed between people, and controllers who turn up in several investigations.

Facts come back as plain values; each is checked once more against the caller's cases before
it is shown (defence in depth: a plain value is not redacted by the store).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter

from graphapp.access import Actor, ensure_allowed, visible_case_ids
from graphapp.services import graph
from graphapp.store import GraphStore, Node
from ingest.normalise import fold_text

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class UnknownDetector(LookupError):
    """No detector by that name (HTTP 404)."""


class BadDetectorRequest(ValueError):
    """A parameter out of range; the message is safe to show."""


@dataclass(frozen=True)
class Detector:
    """One named pattern: its query, its threshold parameter and its explanation."""

    name: str
    title: str
    explanation: str
    query: str
    #: The query's threshold parameter, its default and its lowest sensible value.
    threshold: str
    default: int
    low: int
    label: str
    finding: Callable[[dict, dict[int, dict], int], dict | None] = field(repr=False)
    #: Its findings rank otherwise than its query's rows (Python knows more than the query's
    #: ORDER BY): it reads up to MAX_LIMIT rows and cuts after ranking, not before.
    reranked: bool = False

    def to_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "explanation": self.explanation,
                "parameter": {"name": self.threshold, "default": self.default, "min": self.low,
                              "label": self.label}}


def _ref(labels: dict[int, dict], nid: int) -> dict:
    node = labels.get(nid)
    return {k: node[k] for k in ("id", "kind", "label")} if node else {}


#: What makes two fact rows one fact: a place that several facts of a case mention (another
#: source, another spelling of its city) is joined to every listing and stay there, and the
#: query's rows repeat each of them once per mention.
_SAME_LISTING = itemgetter("advert", "case_id", "source", "day")
_SAME_VISIT = itemgetter("type", "place", "case_id", "source", "day")


def _advert_cities(row: dict, labels: dict[int, dict], threshold: int) -> dict | None:
    facts = sorted(row["facts"], key=lambda f: (f["day"] or "9999", f["city"], f["advert_id"] or ""))
    facts = _ordered_unique(facts, key=_SAME_LISTING)
    cities = _ordered_unique((f["city"] for f in facts), key=fold_text)
    if len(cities) < threshold:
        return None
    adverts = len({f["advert"] for f in facts})
    phone = labels[int(row["nid"])]
    return {
        "title": f"{phone['label']}: adverts in {len(cities)} cities",
        "summary": f"Listed by {adverts} advert(s) in {', '.join(cities)}.",
        "entities": [_ref(labels, int(row["nid"]))],
        "score": len(cities),
        "facts": [{"type": f["type"], "case_id": f["case_id"], "source": f["source"],
                   "date": f["day"], "what": f"{f['site'] or ''} {f['advert_id'] or ''}".strip(),
                   "city": f["city"], "entity": f["advert"]} for f in facts],
    }


def _overlapping_stays(row: dict, labels: dict[int, dict], threshold: int) -> list[dict]:
    """Clusters of stays at one hotel whose dates overlap (a sweep over check-in order), each
    kept when at least ``threshold`` different persons stayed in it."""
    stays = sorted(row["facts"], key=lambda f: (f["day"], f["until"]))
    clusters: list[list[dict]] = []
    end = ""
    for stay in stays:
        until = max(stay["until"] or stay["day"], stay["day"])
        if clusters and stay["day"] <= end:
            clusters[-1].append(stay)
            end = max(end, until)
        else:
            clusters.append([stay])
            end = until
    hotel = labels[int(row["nid"])]
    out = []
    for cluster in clusters:
        persons = _ordered_unique(int(s["person_nid"]) for s in cluster)
        if len(persons) < threshold:
            continue
        first = min(s["day"] for s in cluster)
        last = max(max(s["until"] or s["day"], s["day"]) for s in cluster)
        cases = _ordered_unique(s["case_id"] for s in cluster)
        names = [labels[p]["label"] for p in persons if p in labels]
        out.append({
            "title": f"{hotel['label']}: {len(persons)} persons between {first} and {last}",
            "summary": (f"{', '.join(names)} stayed at {hotel['label']} on overlapping dates, "
                        f"recorded by {len(cases)} case(s)."),
            "entities": [_ref(labels, int(row["nid"]))] + [_ref(labels, p) for p in persons],
            "score": len(persons) * 10 + len(cases),
            "facts": [{"type": s["type"], "case_id": s["case_id"], "source": s["source"],
                       "date": s["day"] if s["until"] in ("", s["day"]) else
                       f"{s['day']} to {s['until']}",
                       "what": f"{labels.get(int(s['person_nid']), {}).get('label', '')} stayed"
                               + (f", room {s['room']}" if s.get("room") else ""),
                       "city": "", "entity": labels.get(int(s["person_nid"]), {}).get("id", "")}
                      for s in cluster],
        })
    return out


def _shared_phone(row: dict, labels: dict[int, dict], threshold: int) -> dict:
    """Persons joined by a visible merge suggestion count as one user until it is decided:
    such a finding is kept (the phone is evidence for the merge) but says so and ranks after
    those with as many distinct users."""
    facts = sorted(row["facts"], key=lambda f: (f["day"] or "9999", f["case_id"]))
    persons = _ordered_unique(int(f["person_nid"]) for f in facts)
    pairs = [(int(s["a"]), int(s["b"])) for s in row.get("maybe_same") or ()
             if int(s["a"]) in persons and int(s["b"]) in persons]
    groups = _groups(persons, pairs)
    phone = labels[int(row["nid"])]
    names = [labels[p]["label"] for p in persons if p in labels]
    title = f"{phone['label']}: used by {len(persons)} persons"
    summary = f"{', '.join(names)} all use {phone['label']}."
    same = [g for g in groups if len(g) > 1]
    if same:
        title += f", {len(groups)} if the merge suggestions are right"
        summary += "".join(
            f" {' and '.join(labels[p]['label'] for p in g if p in labels)} may be one person"
            " (a merge suggestion awaits review on the person's page)." for g in same)
    return {
        "title": title,
        "summary": summary,
        "entities": [_ref(labels, int(row["nid"]))] + [_ref(labels, p) for p in persons],
        "score": len(groups) * 100 + len(persons),
        "possibly_same": [[_ref(labels, p)["id"] for p in g if p in labels] for g in same],
        "facts": [{"type": f["type"], "case_id": f["case_id"], "source": f["source"],
                   "date": _span(f["day"], f["until"]),
                   "what": f"{labels.get(int(f['person_nid']), {}).get('label', '')} uses it",
                   "city": "", "entity": labels.get(int(f["person_nid"]), {}).get("id", "")}
                  for f in facts],
    }


def _groups(members: list[int], pairs: list[tuple[int, int]]) -> list[list[int]]:
    """``members`` in groups joined by ``pairs`` (transitively), each group and the list in
    the members' order."""
    parent = {m: m for m in members}
    order = {m: i for i, m in enumerate(members)}

    def root(m: int) -> int:
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb, key=order.get)] = min(ra, rb, key=order.get)
    groups: dict[int, list[int]] = {}
    for m in members:
        groups.setdefault(root(m), []).append(m)
    return list(groups.values())


def _victim_route(row: dict, labels: dict[int, dict], threshold: int) -> dict | None:
    facts = sorted(row["facts"], key=lambda f: (f["day"] or "9999", f["city"]))
    facts = _ordered_unique(facts, key=_SAME_VISIT)
    cities = _ordered_unique((f["city"] for f in facts), key=fold_text)
    route = []
    for f in facts:
        if not route or fold_text(route[-1][1]) != fold_text(f["city"]):
            route.append((f["day"], f["city"]))
    moves = len(route) - 1
    if len(cities) < threshold:
        return None
    victim = labels[int(row["nid"])]
    return {
        "title": f"{victim['label']}: moved through {len(cities)} cities",
        "summary": "Route: " + " > ".join(f"{d} {c}" for d, c in route) + f" ({moves} move(s)).",
        "entities": [_ref(labels, int(row["nid"]))],
        "score": len(cities) * 10 + moves,
        "facts": [{"type": f["type"], "case_id": f["case_id"], "source": f["source"],
                   "date": f["day"], "what": f["what"], "city": f["city"], "entity": f["place"]}
                  for f in facts],
    }


LINK_WORDS = {"ASSOCIATED_WITH": "associated with", "USES": "shares a phone with",
              "INVOLVES": "in the same case as"}


def _suspect_victims(row: dict, labels: dict[int, dict], threshold: int) -> dict:
    facts = sorted(row["facts"], key=lambda f: (f["case_id"], f["type"], f["source"]))
    cases = _ordered_unique(f["case_id"] for f in facts)
    victims = _ordered_unique(int(f["person_nid"]) for f in facts)
    suspect = labels[int(row["nid"])]
    return {
        "title": f"{suspect['label']}: linked to {len(victims)} victim(s) in {len(cases)} cases",
        "summary": (f"{suspect['label']} is recorded as a suspect and linked to "
                    f"{', '.join(labels[v]['label'] for v in victims if v in labels)} "
                    f"in {', '.join(cases)}."),
        "entities": [_ref(labels, int(row["nid"]))] + [_ref(labels, v) for v in victims],
        "score": len(cases) * 10 + len(victims),
        "facts": [{"type": f["type"], "case_id": f["case_id"], "source": f["source"], "date": "",
                   "what": (f"{LINK_WORDS.get(f['type'], f['type'])} "
                            f"{labels.get(int(f['person_nid']), {}).get('label', '')}"
                            + (f" ({f['detail']})" if f.get("detail") else "")),
                   "city": "", "entity": labels.get(int(f["person_nid"]), {}).get("id", "")}
                  for f in facts],
    }


DETECTORS: dict[str, Detector] = {d.name: d for d in (
    Detector(
        name="phone-adverts-cities", title="Phone in adverts in several cities",
        explanation=("Escort adverts in different cities that list the same phone number. "
                     "Victims are often advertised town by town along the E4 and E6 while one "
                     "controller answers the phone: the number ties the adverts together."),
        query="detectors/phone_adverts_cities", threshold="min_cities", default=2, low=2,
        label="In at least this many cities", finding=_advert_cities),
    Detector(
        name="hotel-overlapping-stays", title="Several persons at one hotel on overlapping dates",
        explanation=("Persons staying at the same hotel or short-term rental at the same time "
                     "(a stay without check-out counts as its check-in day). Victims are kept "
                     "at hotels where buyers and controllers come and go; stays recorded by "
                     "different cases show links no single case sees."),
        query="detectors/hotel_overlapping_stays", threshold="min_persons", default=2, low=2,
        label="At least this many persons", finding=_overlapping_stays),
    Detector(
        name="phone-shared-users", title="One phone used by several persons",
        explanation=("A phone number that several persons use: a controller's phone handed "
                     "between people, or one number that several victims are made to answer."),
        query="detectors/phone_shared_users", threshold="min_persons", default=2, low=2,
        label="At least this many persons", finding=_shared_phone, reranked=True),
    Detector(
        name="victim-movements", title="Victims moved between cities over time",
        explanation=("Persons recorded as victims whose hotel stays, and the adverts listing a "
                     "phone they use, put them in several cities over time, in date order: the "
                     "route of which one investigation usually sees only a stretch."),
        query="detectors/victim_movements", threshold="min_cities", default=2, low=2,
        label="Through at least this many cities", finding=_victim_route),
    Detector(
        name="suspect-victims-cases", title="A suspect linked to victims in several cases",
        explanation=("Persons recorded as suspects who are linked to victims (by an "
                     "association, a phone both use, or being recorded in the same case) in "
                     "several investigations: a controller or trafficker behind more than one "
                     "case."),
        query="detectors/suspect_victims_cases", threshold="min_cases", default=2, low=2,
        label="In at least this many cases", finding=_suspect_victims),
)}


def available(actor: Actor) -> list[dict]:
    """Every detector with its explanation and its parameter."""
    ensure_allowed(actor, "run-detector")
    return [d.to_dict() for d in DETECTORS.values()]


def get(actor: Actor, name: str) -> Detector:
    """:raise UnknownDetector: no detector by that name."""
    ensure_allowed(actor, "run-detector")
    try:
        return DETECTORS[name]
    except KeyError:
        raise UnknownDetector(name) from None


def run(store: GraphStore, actor: Actor, name: str, threshold: int | None = None,
        limit: int = DEFAULT_LIMIT) -> dict:
    """Run one detector over the actor's visible cases.

    Returns ``{"detector": {...}, "findings": [{"title", "summary", "entities", "facts",
    "cases", "score"}], "truncated", "cases"}``, strongest findings first.

    :raise UnknownDetector: no such detector.
    :raise BadDetectorRequest: the threshold or the limit is out of range.
    """
    detector = get(actor, name)
    value = detector.default if threshold is None else threshold
    if not detector.low <= value <= 100:
        raise BadDetectorRequest(f"{detector.threshold} must be between {detector.low} and 100")
    if not 1 <= limit <= MAX_LIMIT:
        raise BadDetectorRequest(f"limit must be between 1 and {MAX_LIMIT}")
    allowed = visible_case_ids(actor)
    cap = MAX_LIMIT if detector.reranked else limit
    rows = []
    if allowed:
        rows = store.read(detector.query, {detector.threshold: value, "limit": cap + 1},
                          allowed_cases=allowed)
    truncated = len(rows) > cap
    rows = [_visible_only(r, allowed) for r in rows[:cap]]
    rows = [r for r in rows if r is not None]
    nodes: dict[int, Node] = {}
    for r in rows:
        nodes[int(r["nid"])] = r["node"]
        for other in r.get("others") or ():
            if other["node"] is not None:
                nodes[int(other["nid"])] = other["node"]
    labels = graph.describe(store, allowed, nodes)
    findings = []
    for r in rows:
        made = detector.finding(r, labels, value)
        for f in made if isinstance(made, list) else [made]:
            if f is not None:
                f["cases"] = sorted({x["case_id"] for x in f["facts"]})
                findings.append(f)
    findings.sort(key=lambda f: (-f["score"], f["title"]))
    if detector.reranked:
        truncated = truncated or len(findings) > limit
        findings = findings[:limit]
    return {"detector": detector.to_dict(), "threshold": value, "findings": findings,
            "truncated": truncated,
            "cases": sorted({c for f in findings for c in f["cases"]})}


def _visible_only(row: dict, allowed) -> dict | None:
    """The row with only facts of the caller's cases (the query's own filter, checked again);
    None when its entity was redacted."""
    if row.get("node") is None:
        return None
    facts = [f for f in row["facts"] if f.get("case_id") in allowed]
    if not facts:
        return None
    return {**row, "facts": facts}


def _ordered_unique(items, key: Callable | None = None) -> list:
    """Each item once, in order: the same when ``key`` gives the same value (by default text
    regardless of case, anything else itself)."""
    seen, out = set(), []
    for item in items:
        same = key(item) if key else item.lower() if isinstance(item, str) else item
        if same not in seen:
            seen.add(same)
            out.append(item)
    return out


def _span(first: str, last: str) -> str:
    if first and last and first != last:
        return f"{first} to {last}"
    return first or last or ""
