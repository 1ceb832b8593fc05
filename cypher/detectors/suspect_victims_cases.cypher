// description: >-
//   Detector "a suspect linked to victims in several cases": persons the caller's cases
//   record as a suspect, with each victim they are linked to and how (an association, a phone
//   both use, or the same case records both), kept when those links lie in at least
//   $min_cases of the caller's cases. Starts from the allowed Case nodes.
// params:
//   allowed_cases: list<string>
//   min_cases: int
//   limit: int
MATCH (c:Case)-[si:INVOLVES]->(s:Person)
WHERE c.case_id IN $allowed_cases AND c.pending_batch IS NULL AND si.case_id = c.case_id
  AND si.role = 'suspect'
WITH DISTINCT s
CALL {
  WITH s
  MATCH (s)-[a:ASSOCIATED_WITH]-(v:Person)<-[vi:INVOLVES]-(:Case)
  WHERE a.case_id IN $allowed_cases AND vi.case_id = a.case_id AND vi.role = 'victim'
  RETURN v, 'ASSOCIATED_WITH' AS type, a.case_id AS case_id, a.source AS source,
         coalesce(a.kind, '') AS detail
  UNION
  WITH s
  MATCH (s)-[u1:USES]->(ph:Phone)<-[u2:USES]-(v:Person)<-[vi:INVOLVES]-(:Case)
  WHERE u1.case_id IN $allowed_cases AND u2.case_id IN $allowed_cases AND vi.case_id = u2.case_id
    AND vi.role = 'victim' AND id(v) <> id(s)
  RETURN v, 'USES' AS type, u2.case_id AS case_id, u2.source AS source, ph.e164 AS detail
  UNION
  WITH s
  MATCH (sc:Case)-[si2:INVOLVES]->(s)
  WHERE sc.case_id IN $allowed_cases AND si2.case_id = sc.case_id AND si2.role = 'suspect'
  MATCH (sc)-[vi:INVOLVES]->(v:Person)
  WHERE vi.case_id = sc.case_id AND vi.role = 'victim' AND id(v) <> id(s)
  RETURN v, 'INVOLVES' AS type, sc.case_id AS case_id, vi.source AS source, '' AS detail
}
WITH s, collect(DISTINCT case_id) AS cases, collect(DISTINCT v) AS victims,
     collect({type: type, person_nid: id(v), case_id: case_id, source: source,
              detail: detail}) AS facts
WHERE size(cases) >= $min_cases
RETURN id(s) AS nid, s AS node, size(cases) AS score, facts,
       [x IN victims | {nid: id(x), node: x}] AS others
ORDER BY score DESC, s.person_id
LIMIT $limit
