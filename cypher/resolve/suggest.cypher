// description: >-
//   Record merge suggestions between two persons, one per pair of case records; visible only
//   to users who may see both records (case_id and other_case_id).
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (a:Person {person_id: r.a}), (b:Person {person_id: r.b})
MERGE (a)-[e:MAYBE_SAME_AS {rel_key: r.rel_key}]->(b)
ON CREATE SET e += r.props, e.case_id = r.case_id, e.other_case_id = r.other_case_id,
              e.batch_id = $batch_id
