// description: >-
//   The dates the caller's visible facts state about each of these entities (internal ids of
//   this request): first/last seen, check-in/out, first/last call, posted. ISO strings; the
//   cross-case report shows the earliest and the latest. Only the fact types that hold dates
//   are walked (a person's INVOLVES records and associations hold none).
// params:
//   allowed_cases: list<string>
//   nids: list
UNWIND $nids AS nid
MATCH (n)-[r:MENTIONS|USES|STAYED_AT|CALLED|LISTS]-()
WHERE id(n) = nid AND r.case_id IN $allowed_cases
UNWIND [r.first_seen, r.last_seen, r.check_in, r.check_out, r.first_call, r.last_call,
        r.posted] AS d
WITH nid, d
WHERE d IS NOT NULL AND d <> ''
RETURN nid, min(substring(d, 0, 10)) AS first, max(substring(d, 0, 10)) AS last
