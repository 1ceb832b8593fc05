// description: >-
//   Internal ids of every node at either end of a batch's facts (pending, committed or
//   hidden by a withdrawal, ingest/hide_batch_facts), for deriving their indexes after a
//   commit or a withdrawal's hiding, and finding the orphans. Valid for this run only.
// params:
//   batch_id: string
CALL {
  MATCH (a)-[e:INVOLVES]->(b) WHERE e.batch_id = $batch_id RETURN id(a) AS nid
  UNION
  MATCH (a)-[e:INVOLVES]->(b) WHERE e.batch_id = $batch_id RETURN id(b) AS nid
  UNION
  MATCH (a)-[e:MENTIONS]->(b) WHERE e.batch_id = $batch_id RETURN id(a) AS nid
  UNION
  MATCH (a)-[e:MENTIONS]->(b) WHERE e.batch_id = $batch_id RETURN id(b) AS nid
  UNION
  MATCH (a)-[e:USES]->(b) WHERE e.batch_id = $batch_id RETURN id(a) AS nid
  UNION
  MATCH (a)-[e:USES]->(b) WHERE e.batch_id = $batch_id RETURN id(b) AS nid
  UNION
  MATCH (a)-[e:RESIDES_AT]->(b) WHERE e.batch_id = $batch_id RETURN id(a) AS nid
  UNION
  MATCH (a)-[e:RESIDES_AT]->(b) WHERE e.batch_id = $batch_id RETURN id(b) AS nid
  UNION
  MATCH (a)-[e:STAYED_AT]->(b) WHERE e.batch_id = $batch_id RETURN id(a) AS nid
  UNION
  MATCH (a)-[e:STAYED_AT]->(b) WHERE e.batch_id = $batch_id RETURN id(b) AS nid
  UNION
  MATCH (a)-[e:LOCATED_AT]->(b) WHERE e.batch_id = $batch_id RETURN id(a) AS nid
  UNION
  MATCH (a)-[e:LOCATED_AT]->(b) WHERE e.batch_id = $batch_id RETURN id(b) AS nid
  UNION
  MATCH (a)-[e:CALLED]->(b) WHERE e.batch_id = $batch_id RETURN id(a) AS nid
  UNION
  MATCH (a)-[e:CALLED]->(b) WHERE e.batch_id = $batch_id RETURN id(b) AS nid
  UNION
  MATCH (a)-[e:LISTS]->(b) WHERE e.batch_id = $batch_id RETURN id(a) AS nid
  UNION
  MATCH (a)-[e:LISTS]->(b) WHERE e.batch_id = $batch_id RETURN id(b) AS nid
  UNION
  MATCH (a)-[e:ASSOCIATED_WITH]->(b) WHERE e.batch_id = $batch_id RETURN id(a) AS nid
  UNION
  MATCH (a)-[e:ASSOCIATED_WITH]->(b) WHERE e.batch_id = $batch_id RETURN id(b) AS nid
  UNION
  MATCH (a)-[e:MAYBE_SAME_AS]->(b) WHERE e.batch_id = $batch_id RETURN id(a) AS nid
  UNION
  MATCH (a)-[e:MAYBE_SAME_AS]->(b) WHERE e.batch_id = $batch_id RETURN id(b) AS nid
}
RETURN nid
