// description: >-
//   Split one case record ($case_id, $person_ref) off person $from onto a new person $into:
//   its INVOLVES edge and every fact that record stated move, with the dormant statements of
//   them that later batches made with other values (dormant_case instead of case_id,
//   ingest/load_*), so that a withdrawal can still put one in its fact's place (not counted
//   as moved). Safe to run again.
// params:
//   into: string
//   from: string
//   case_id: string
//   person_ref: string
MATCH (b:Person {person_id: $from})
MERGE (a:Person {person_id: $into})
ON CREATE SET a.case_ids = [], a.match_keys = [], a.block_keys = []
RETURN count(a) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (x)-[r:INVOLVES]->(b)
WHERE coalesce(r.case_id, r.dormant_case) = $case_id AND r.person_ref = $person_ref
CREATE (x)-[r2:INVOLVES]->(a)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.dormant_case IS NULL THEN 1 END) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:USES]->(x)
WHERE coalesce(r.case_id, r.dormant_case) = $case_id AND r.person_ref = $person_ref
CREATE (a)-[r2:USES]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.dormant_case IS NULL THEN 1 END) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:RESIDES_AT]->(x)
WHERE coalesce(r.case_id, r.dormant_case) = $case_id AND r.person_ref = $person_ref
CREATE (a)-[r2:RESIDES_AT]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.dormant_case IS NULL THEN 1 END) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:STAYED_AT]->(x)
WHERE coalesce(r.case_id, r.dormant_case) = $case_id AND r.person_ref = $person_ref
CREATE (a)-[r2:STAYED_AT]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.dormant_case IS NULL THEN 1 END) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:ASSOCIATED_WITH]->(x)
WHERE coalesce(r.case_id, r.dormant_case) = $case_id AND r.person_ref_a = $person_ref
CREATE (a)-[r2:ASSOCIATED_WITH]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.dormant_case IS NULL THEN 1 END) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (x)-[r:ASSOCIATED_WITH]->(b)
WHERE coalesce(r.case_id, r.dormant_case) = $case_id AND r.person_ref_b = $person_ref
CREATE (x)-[r2:ASSOCIATED_WITH]->(a)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.dormant_case IS NULL THEN 1 END) AS moved
