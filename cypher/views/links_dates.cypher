// description: >-
//   The dates the caller's visible facts state about each of these entities (internal ids of
//   this request): first/last seen, check-in/out, first/last call, posted. ISO strings; the
//   cross-case report shows the earliest and the latest.
// params:
//   allowed_cases: list<string>
//   nids: list
UNWIND $nids AS nid
MATCH (n)-[r]-()
WHERE id(n) = nid AND r.case_id IN $allowed_cases
WITH nid, [d IN [r.first_seen, r.last_seen, r.check_in, r.check_out, r.first_call, r.last_call,
                 r.posted] WHERE d IS NOT NULL AND d <> '' | substring(d, 0, 10)] AS days
UNWIND days AS day
RETURN nid, min(day) AS first, max(day) AS last
