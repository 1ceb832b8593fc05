// description: >-
//   The first step of taking a batch out, in one atomic query; counts its facts. Withdrawal
//   (after ingest/hand_over_batch_facts and ingest/promote_restatements): each of its
//   committed facts moves its case_id into withdrawn_case, so every read (all filter on
//   case_id) stops seeing all of them at once, while the edge and its batch_id stay to say
//   which nodes to re-derive (ingest/batch_endpoints) until ingest/delete_batch_edges. A
//   roll-back ($pending_only) only counts its pending facts (invisible already). Dormant
//   statements are not facts: left as they are. Running it again hides nothing more and
//   counts the facts still waiting to be deleted. Rare, so one scan.
// params:
//   batch_id: string
//   pending_only: bool
MATCH ()-[e]->()
WHERE e.batch_id = $batch_id AND e.dormant_case IS NULL
  AND (e.pending_case IS NOT NULL
       OR ($pending_only = false AND coalesce(e.case_id, e.withdrawn_case) IS NOT NULL))
SET e.withdrawn_case = coalesce(e.case_id, e.withdrawn_case), e.case_id = null
RETURN count(e) AS facts
