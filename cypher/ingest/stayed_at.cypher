// description: "(Person)-[:STAYED_AT]->(Hotel), a hotel or short-term stay; written pending."
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (p:Person {person_id: r.person_id})
MATCH (n:Hotel {hotel_key: r.key})
MERGE (p)-[e:STAYED_AT {rel_key: r.rel_key}]->(n)
ON CREATE SET e += r.props, e.pending_case = r.case_id, e.batch_id = $batch_id
