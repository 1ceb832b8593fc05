// description: >-
//   Merge person $from into person $into by moving every fact (rel_keys keep: they name the
//   case's record, not the node); suggestions between the two are dropped, then $from is
//   deleted. Statement by statement: running it again finishes an interrupted merge. moved
//   counts the moved facts of $visible_cases (a suggestion: when both of its cases are), what
//   the person asking may be told; dormant statements (other values a later batch gave for a
//   fact, dormant_case instead of case_id, ingest/load_*) move with the facts and are not
//   counted.
// params:
//   into: string
//   from: string
//   visible_cases: list<string>
MATCH (a:Person {person_id: $into})-[s:MAYBE_SAME_AS]-(b:Person {person_id: $from})
DELETE s
RETURN count(s) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (x)-[r:INVOLVES]->(b)
CREATE (x)-[r2:INVOLVES]->(a)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.case_id IN $visible_cases
                   AND (r2.other_case_id IS NULL OR r2.other_case_id IN $visible_cases)
                  THEN 1 END) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:USES]->(x)
CREATE (a)-[r2:USES]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.case_id IN $visible_cases
                   AND (r2.other_case_id IS NULL OR r2.other_case_id IN $visible_cases)
                  THEN 1 END) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:RESIDES_AT]->(x)
CREATE (a)-[r2:RESIDES_AT]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.case_id IN $visible_cases
                   AND (r2.other_case_id IS NULL OR r2.other_case_id IN $visible_cases)
                  THEN 1 END) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:STAYED_AT]->(x)
CREATE (a)-[r2:STAYED_AT]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.case_id IN $visible_cases
                   AND (r2.other_case_id IS NULL OR r2.other_case_id IN $visible_cases)
                  THEN 1 END) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:ASSOCIATED_WITH]->(x)
CREATE (a)-[r2:ASSOCIATED_WITH]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.case_id IN $visible_cases
                   AND (r2.other_case_id IS NULL OR r2.other_case_id IN $visible_cases)
                  THEN 1 END) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (x)-[r:ASSOCIATED_WITH]->(b)
CREATE (x)-[r2:ASSOCIATED_WITH]->(a)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.case_id IN $visible_cases
                   AND (r2.other_case_id IS NULL OR r2.other_case_id IN $visible_cases)
                  THEN 1 END) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[r:MAYBE_SAME_AS]->(x)
CREATE (a)-[r2:MAYBE_SAME_AS]->(x)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.case_id IN $visible_cases
                   AND (r2.other_case_id IS NULL OR r2.other_case_id IN $visible_cases)
                  THEN 1 END) AS moved
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (x)-[r:MAYBE_SAME_AS]->(b)
CREATE (x)-[r2:MAYBE_SAME_AS]->(a)
SET r2 = properties(r)
DELETE r
RETURN count(CASE WHEN r2.case_id IN $visible_cases
                   AND (r2.other_case_id IS NULL OR r2.other_case_id IN $visible_cases)
                  THEN 1 END) AS moved
;
MATCH (b:Person {person_id: $from})
WHERE NOT (b)--()
DELETE b
RETURN count(b) AS moved
