// description: How many merge suggestions a batch made (a pair found again keeps its first batch).
// params:
//   batch_id: string
MATCH ()-[e:MAYBE_SAME_AS]->()
WHERE e.batch_id = $batch_id
RETURN count(e) AS n
