// description: "A case's record of a person, written pending: the fact carries pending_case until the batch commits."
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (c:Case {case_id: r.case_id})
MERGE (p:Person {person_id: r.person_id})
ON CREATE SET p.case_ids = [], p.match_keys = []
MERGE (c)-[e:INVOLVES {rel_key: r.rel_key}]->(p)
ON CREATE SET e += r.props, e.match_keys = r.match_keys, e.block_keys = r.block_keys, e.pending_case = r.case_id, e.batch_id = $batch_id
