// description: "(Person)-[:ASSOCIATED_WITH]->(Person), e.g. partner, relative, controller; written pending."
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (a:Person {person_id: r.person_id})
MATCH (b:Person {person_id: r.other_person_id})
MERGE (a)-[e:ASSOCIATED_WITH {rel_key: r.rel_key}]->(b)
ON CREATE SET e += r.props, e.pending_case = r.case_id, e.batch_id = $batch_id
