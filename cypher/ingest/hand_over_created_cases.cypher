// description: >-
//   Withdrawal: a case the batch created that still holds facts of other batches (they
//   restated its facts, or added their own to it) passes to the batch of one of those facts,
//   whose withdrawal then deletes it once it is empty (ingest/delete_orphans); its attributes
//   stay as they were. Running it again changes nothing.
// params:
//   batch_id: string
MATCH (c:Case)-[e]->()
WHERE c.created_batch = $batch_id AND e.case_id IS NOT NULL AND e.batch_id <> $batch_id
WITH c, head(collect(e.batch_id)) AS heir
SET c.created_batch = heir
RETURN count(c) AS cases
