// description: Persons already recorded under these case_id + person_ref pairs, pending or committed.
// params:
//   refs: list<map>
UNWIND $refs AS ref
MATCH (c:Case {case_id: ref.case_id})-[e:INVOLVES]->(p:Person)
WHERE e.person_ref = ref.person_ref
RETURN ref.case_id AS case_id, ref.person_ref AS person_ref, p.person_id AS person_id
