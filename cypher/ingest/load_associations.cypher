// description: >-
//   associations.csv: two persons of the case are ASSOCIATED_WITH each other.
//   Written pending (pending_case instead of case_id) under the batch's id; each fact
//   slot of a row is a map {k: rel_key, p: properties}, null when the row states no such fact.
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (a:Person {person_id: r.person_id})
MATCH (b:Person {person_id: r.other_person_id})
MERGE (a)-[e:ASSOCIATED_WITH {rel_key: r.associated_with.k}]->(b)
ON CREATE SET e += r.associated_with.p, e.pending_case = r.case_id, e.batch_id = $batch_id
