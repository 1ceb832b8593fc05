// description: >-
//   Create one Case node, visible at once, from `casegraph cases add` (graphapp/cases.py,
//   which audits it). `created` is false when a case with this id exists already, committed
//   or pending: it is left as it was. $token marks the node this call created, then goes.
// params:
//   case_id: string
//   props: map
//   token: string
MERGE (c:Case {case_id: $case_id})
ON CREATE SET c += $props, c.case_ids = [$case_id], c.created_token = $token
WITH c, c.created_token = $token AS created
REMOVE c.created_token
RETURN created
