// description: >-
//   Split one case record ($case_id, $person_ref) off person $from onto a new person $into:
//   its INVOLVES edge and every fact that record stated move. Safe to run again.
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
WHERE r.case_id = $case_id AND r.person_ref = $person_ref
CREATE (x)-[r2:INVOLVES]->(a)
SET r2 = properties(r)
DELETE r
RETURN count(r2) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:USES]->(x)
WHERE r.case_id = $case_id AND r.person_ref = $person_ref
CREATE (a)-[r2:USES]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(r2) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:RESIDES_AT]->(x)
WHERE r.case_id = $case_id AND r.person_ref = $person_ref
CREATE (a)-[r2:RESIDES_AT]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(r2) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:STAYED_AT]->(x)
WHERE r.case_id = $case_id AND r.person_ref = $person_ref
CREATE (a)-[r2:STAYED_AT]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(r2) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:ASSOCIATED_WITH]->(x)
WHERE r.case_id = $case_id AND r.person_ref_a = $person_ref
CREATE (a)-[r2:ASSOCIATED_WITH]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(r2) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (x)-[r:ASSOCIATED_WITH]->(b)
WHERE r.case_id = $case_id AND r.person_ref_b = $person_ref
CREATE (x)-[r2:ASSOCIATED_WITH]->(a)
SET r2 = properties(r)
DELETE r
RETURN count(r2) AS moved
