// description: (Person)-[:USES]->(Phone), written pending.
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (p:Person {person_id: r.person_id})
MATCH (n:Phone {e164: r.key})
MERGE (p)-[e:USES {rel_key: r.rel_key}]->(n)
ON CREATE SET e += r.props, e.pending_case = r.case_id, e.batch_id = $batch_id
