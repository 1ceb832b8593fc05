// description: >-
//   How many of a batch's merge suggestions pair two records of visible cases (an ingest
//   report --as a user tells nothing of suggestions against hidden records).
// params:
//   batch_id: string
//   allowed_cases: list<string>
MATCH ()-[e:MAYBE_SAME_AS]->()
WHERE e.batch_id = $batch_id AND e.case_id IN $allowed_cases
  AND e.other_case_id IN $allowed_cases
RETURN count(e) AS n
