// description: (Person)-[:RESIDES_AT]->(Address), written pending.
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (p:Person {person_id: r.person_id})
MATCH (n:Address {address_key: r.key})
MERGE (p)-[e:RESIDES_AT {rel_key: r.rel_key}]->(n)
ON CREATE SET e += r.props, e.pending_case = r.case_id, e.batch_id = $batch_id
