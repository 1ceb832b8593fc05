// description: >-
//   The visible facts between pairs of nodes ([node, neighbour], internal ids of this
//   request), with the neighbour's kind and key: what a network view draws of the neighbours
//   it keeps (views/neighbours picks them). Both ends are found by id first so that the
//   facts are read between the two (FalkorDB: Expand Into), not by walking a busy node's
//   every fact once per pair. One row per fact, not collected per pair (FalkorDB's
//   aggregation cost a quarter of the read), plain fields only, no node or fact objects:
//   `fact` is [rel_key, type, outgoing, case_id, other_case_id, source, [first, last] or
//   null], the dates of the first pair of graphapp.services.graph.FACT_DATES it holds. A
//   merge suggestion is visible only when both of its cases are.
//   A merge suggestion is visible only when both of its cases are and the person at its
//   other end is one the caller may see (views/entity/person's test): a split or a
//   withdrawal can leave it on a person whom only hidden cases now hold.
// params:
//   allowed_cases: list<string>
//   pairs: list
UNWIND $pairs AS pair
MATCH (n) WHERE id(n) = pair[0]
WITH pair, n
MATCH (m) WHERE id(m) = pair[1]
WITH pair, n, m
MATCH (n)-[r]-(m)
WHERE r.case_id IN $allowed_cases
  AND (type(r) <> 'MAYBE_SAME_AS'
       OR (r.other_case_id IN $allowed_cases AND any(x IN m.case_ids WHERE x IN $allowed_cases)))
RETURN pair[0] AS nid, pair[1] AS other_nid, labels(m)[0] AS label,
       CASE WHEN m:Case THEN m.case_id WHEN m:Person THEN m.person_id
            WHEN m:Phone THEN m.e164 WHEN m:Address THEN m.address_key
            WHEN m:Hotel THEN m.hotel_key WHEN m:Advert THEN m.advert_key END AS key,
       [r.rel_key, type(r), id(startNode(r)) = pair[0], r.case_id, r.other_case_id, r.source,
        CASE WHEN r.first_seen IS NOT NULL OR r.last_seen IS NOT NULL
               THEN [r.first_seen, r.last_seen]
             WHEN r.check_in IS NOT NULL OR r.check_out IS NOT NULL
               THEN [r.check_in, r.check_out]
             WHEN r.first_call IS NOT NULL OR r.last_call IS NOT NULL
               THEN [r.first_call, r.last_call]
             WHEN r.posted IS NOT NULL THEN [r.posted, r.posted] END] AS fact
