// description: >-
//   How many committed facts a batch brought and how many nodes they touch, counted as the
//   commit counts them (a fact starting at a case touches its end only): what the commit
//   reported, read again when its answer was lost (the client ran it a second time).
// params:
//   batch_id: string
CALL {
  MATCH ()-[e:INVOLVES]->(b) WHERE e.batch_id = $batch_id AND e.case_id IS NOT NULL
  RETURN e, [b] AS ends
  UNION ALL
  MATCH ()-[e:MENTIONS]->(b) WHERE e.batch_id = $batch_id AND e.case_id IS NOT NULL
  RETURN e, [b] AS ends
  UNION ALL
  MATCH (a)-[e:USES]->(b) WHERE e.batch_id = $batch_id AND e.case_id IS NOT NULL
  RETURN e, [a, b] AS ends
  UNION ALL
  MATCH (a)-[e:RESIDES_AT]->(b) WHERE e.batch_id = $batch_id AND e.case_id IS NOT NULL
  RETURN e, [a, b] AS ends
  UNION ALL
  MATCH (a)-[e:STAYED_AT]->(b) WHERE e.batch_id = $batch_id AND e.case_id IS NOT NULL
  RETURN e, [a, b] AS ends
  UNION ALL
  MATCH (a)-[e:LOCATED_AT]->(b) WHERE e.batch_id = $batch_id AND e.case_id IS NOT NULL
  RETURN e, [a, b] AS ends
  UNION ALL
  MATCH (a)-[e:CALLED]->(b) WHERE e.batch_id = $batch_id AND e.case_id IS NOT NULL
  RETURN e, [a, b] AS ends
  UNION ALL
  MATCH (a)-[e:LISTS]->(b) WHERE e.batch_id = $batch_id AND e.case_id IS NOT NULL
  RETURN e, [a, b] AS ends
  UNION ALL
  MATCH (a)-[e:ASSOCIATED_WITH]->(b) WHERE e.batch_id = $batch_id AND e.case_id IS NOT NULL
  RETURN e, [a, b] AS ends
}
WITH e, ends
UNWIND ends AS n
RETURN count(DISTINCT e) AS facts, count(DISTINCT n) AS nodes
