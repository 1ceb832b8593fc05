// description: "The case mentions an advert; site, id, url and posting date live on the fact. Written pending."
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (c:Case {case_id: r.case_id})
MERGE (n:Advert {advert_key: r.key})
ON CREATE SET n.case_ids = []
MERGE (c)-[e:MENTIONS {rel_key: r.rel_key}]->(n)
ON CREATE SET e += r.props, e.pending_case = r.case_id, e.batch_id = $batch_id
