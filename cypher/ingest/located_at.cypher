// description: (Hotel)-[:LOCATED_AT]->(Address), written pending.
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (h:Hotel {hotel_key: r.hotel_key})
MATCH (a:Address {address_key: r.key})
MERGE (h)-[e:LOCATED_AT {rel_key: r.rel_key}]->(a)
ON CREATE SET e += r.props, e.pending_case = r.case_id, e.batch_id = $batch_id
