// description: >-
//   Detector "one phone used by several persons": phones that at least $min_persons persons
//   use according to the caller's cases (a controller's phone passed around, or a number the
//   victims are made to share), with the merge suggestions (MAYBE_SAME_AS) between those
//   persons that the caller may see (both cases allowed): two spellings of one person are
//   not two users. Starts from the allowed Case nodes. The suggestions are read from each
//   user (OPTIONAL MATCH), not as a pattern comprehension: FalkorDB planned that as a scan of
//   every Person for each user (145 million rows, 14 s at 1M facts).
// params:
//   allowed_cases: list<string>
//   min_persons: int
//   limit: int
MATCH (c:Case)-[m:MENTIONS]->(ph:Phone)
WHERE c.case_id IN $allowed_cases AND c.pending_batch IS NULL AND m.case_id = c.case_id
WITH DISTINCT ph
MATCH (p:Person)-[u:USES]->(ph)
WHERE u.case_id IN $allowed_cases
WITH ph, collect(DISTINCT p) AS persons,
     collect({type: 'USES', person_nid: id(p), case_id: u.case_id, source: u.source,
              day: substring(coalesce(u.first_seen, ''), 0, 10),
              until: substring(coalesce(u.last_seen, ''), 0, 10)}) AS facts
WHERE size(persons) >= $min_persons
WITH ph, persons, facts
UNWIND persons AS x
OPTIONAL MATCH (x)-[s:MAYBE_SAME_AS]->(y)
WHERE s.case_id IN $allowed_cases AND s.other_case_id IN $allowed_cases AND y IN persons
WITH ph, persons, facts,
     collect(CASE WHEN s IS NULL THEN null ELSE {a: id(x), b: id(y), score: s.score} END) AS maybe_same
RETURN id(ph) AS nid, ph AS node, size(persons) AS score, facts,
       [x IN persons | {nid: id(x), node: x}] AS others, maybe_same
ORDER BY score DESC, ph.e164
LIMIT $limit
