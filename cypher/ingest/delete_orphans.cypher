// description: >-
//   Delete entities among these nodes that no fact mentions any more (a Case only if the
//   given batch created it): what undoing or withdrawing a batch leaves behind.
// params:
//   nids: list
//   batch_id: string
UNWIND $nids AS nid
MATCH (n) WHERE id(n) = nid
  AND NOT (n)--()
  AND (NOT n:Case OR n.created_batch = $batch_id)
DELETE n
RETURN count(n) AS deleted
