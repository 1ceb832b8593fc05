// description: Delete Case nodes that this batch created and that hold no fact.
// params:
//   batch_id: string
MATCH (c:Case)
WHERE c.created_batch = $batch_id AND NOT (c)--()
DELETE c
RETURN count(c) AS deleted
