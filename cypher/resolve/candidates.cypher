// description: >-
//   Committed person records holding one of these blocking keys (near-match candidates;
//   blocking keeps this from comparing every pair), with the batch that brought each. One
//   text a row: person_id, case_id, person_ref, name, birth_date ('' when none), batch_id
//   and the blocking key, joined by $sep (a character checked values never hold): a
//   client decodes one value a row instead of seven.
// params:
//   keys: list<string>
//   sep: string
UNWIND $keys AS k
MATCH (p:Person)
WHERE k IN p.block_keys
MATCH (:Case)-[i:INVOLVES]->(p)
WHERE i.case_id IS NOT NULL AND k IN i.block_keys
RETURN p.person_id + $sep + i.case_id + $sep + i.person_ref + $sep + i.name + $sep +
       coalesce(i.birth_date, '') + $sep + i.batch_id + $sep + k AS candidate
