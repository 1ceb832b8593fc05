// description: >-
//   Split one case record ($case_id, $person_ref) off person $from onto a new person $into:
//   its INVOLVES edge and every fact that record stated move, with the dormant statements of
//   them that later batches made with other values (dormant_case instead of case_id,
//   ingest/load_*), so that a withdrawal can still put one in its fact's place (not counted
//   as moved). Safe to run again.
//   The merge suggestions made for the record (MAYBE_SAME_AS whose evidence names it,
//   $record_json: the record as JSON text, as ingest/resolve.py writes it into the evidence's
//   "records", the last key) move with it, same properties and rel_key, the other end
//   unchanged: the start of a suggestion holds its first record, the end its second, so the
//   reviewers still see it between the persons holding the two records. A suggestion
//   between the record and another record of $from itself (both ends on $from) is deleted
//   instead: moved, it would ask the reviewer to undo the split just made, and the split is
//   the decision that the two are different persons (as a merge deletes the suggestions
//   between the two it joins). Suggestions are not facts: counted apart (suggestions).
// params:
//   into: string
//   from: string
//   case_id: string
//   person_ref: string
//   record_json: string
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
;
MATCH (b:Person {person_id: $from})-[s:MAYBE_SAME_AS]->(b)
WHERE s.evidence CONTAINS ('"records": [' + $record_json + ', ')
   OR s.evidence ENDS WITH (', ' + $record_json + ']}')
DELETE s
RETURN count(s) AS suggestions
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (b)-[s:MAYBE_SAME_AS]->(x)
WHERE x <> b AND s.evidence CONTAINS ('"records": [' + $record_json + ', ')
CREATE (a)-[s2:MAYBE_SAME_AS]->(x)
SET s2 = properties(s)
DELETE s
RETURN count(s2) AS suggestions
;
MATCH (a:Person {person_id: $into}), (b:Person {person_id: $from})
MATCH (x)-[s:MAYBE_SAME_AS]->(b)
WHERE x <> b AND s.evidence ENDS WITH (', ' + $record_json + ']}')
CREATE (x)-[s2:MAYBE_SAME_AS]->(a)
SET s2 = properties(s)
DELETE s
RETURN count(s2) AS suggestions
