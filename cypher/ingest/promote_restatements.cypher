// description: >-
//   Withdrawal, after ingest/hand_over_batch_facts and before the batch's facts are hidden:
//   each committed fact of the batch that later committed batches restated only with other
//   values (differed_by) takes one of their dormant statements (the edge beside it keyed
//   rel_key + '/' + batch_id, ingest/load_*): its values, source and batch_id replace the
//   fact's, that batch leaves differed_by (gone when empty) and the dormant edge is deleted.
//   The fact keeps its rel_key and case, so it stays visible with the values of a batch that
//   states them. A fact whose dormant statements are all missing is left to be deleted.
//   Rare, so one scan. Running it again finds nothing more to promote.
// params:
//   batch_id: string
MATCH (a)-[f]->(b)
WHERE f.batch_id = $batch_id AND f.case_id IS NOT NULL AND f.restated_by IS NULL
  AND size(coalesce(f.differed_by, [])) > 0
WITH a, f, b, f.rel_key AS key, f.case_id AS case_id, f.differed_by AS differed
MATCH (a)-[d]->(b)
WHERE type(d) = type(f) AND d.dormant_case IS NOT NULL AND d.batch_id IN differed
  AND d.rel_key = key + '/' + d.batch_id
WITH f, key, case_id, differed, head(collect(d)) AS d
WITH f, key, case_id, [x IN differed WHERE x <> d.batch_id] AS rest, d
SET f = properties(d)
SET f.rel_key = key, f.case_id = case_id, f.dormant_case = null,
    f.differed_by = CASE WHEN size(rest) > 0 THEN rest ELSE null END
DELETE d
RETURN count(f) AS promoted
