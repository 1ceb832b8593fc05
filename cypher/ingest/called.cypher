// description: "(Phone)-[:CALLED]->(Phone) from call records; written pending."
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (a:Phone {e164: r.from_key})
MATCH (b:Phone {e164: r.key})
MERGE (a)-[e:CALLED {rel_key: r.rel_key}]->(b)
ON CREATE SET e += r.props, e.pending_case = r.case_id, e.batch_id = $batch_id
