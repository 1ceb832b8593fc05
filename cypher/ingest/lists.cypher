// description: "(Advert)-[:LISTS]->(Phone), an escort advert shows the number; written pending."
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (a:Advert {advert_key: r.advert_key})
MATCH (n:Phone {e164: r.key})
MERGE (a)-[e:LISTS {rel_key: r.rel_key}]->(n)
ON CREATE SET e += r.props, e.pending_case = r.case_id, e.batch_id = $batch_id
