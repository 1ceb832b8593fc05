// description: >-
//   persons.csv, one row per case record of a person: the case INVOLVES the (resolved) person, with the record's match and blocking keys.
//   Written pending (pending_case instead of case_id) under the batch's id; each fact
//   slot of a row is a map {k: rel_key, p: properties}, null when the row states no such fact.
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (c:Case {case_id: r.case_id})
MERGE (p:Person {person_id: r.person_id})
ON CREATE SET p.case_ids = [], p.match_keys = [], p.block_keys = []
MERGE (c)-[e:INVOLVES {rel_key: r.involves.k}]->(p)
ON CREATE SET e += r.involves.p, e.match_keys = r.match_keys, e.block_keys = r.block_keys,
              e.pending_case = r.case_id, e.batch_id = $batch_id
