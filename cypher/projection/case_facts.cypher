// description: >-
//   The projection's copy, a few visible cases at a time: every fact that starts at a case
//   (INVOLVES, MENTIONS) with the entity it reaches, the entity's label, key and case ids cut
//   down to the visible ones (its match keys are never read).
//   The case's own id is tested as any(x IN [c.case_id] ...), not c.case_id IN $allowed_cases:
//   FalkorDB would add every allowed case to the index look-up of the key
//   (graphapp/store/falkor_scope.py).
// params:
//   allowed_cases: list<string>
//   case_ids: list<string>
MATCH (c:Case)-[m]->(n)
WHERE c.case_id IN $case_ids AND any(x IN [c.case_id] WHERE x IN $allowed_cases) AND c.pending_batch IS NULL
  AND m.case_id = c.case_id
RETURN id(c) AS s, id(n) AS e, labels(n) AS labels,
       coalesce(n.person_id, n.e164, n.address_key, n.hotel_key, n.advert_key) AS key,
       [x IN coalesce(n.case_ids, []) WHERE x IN $allowed_cases] AS cases,
       type(m) AS type, properties(m) AS props
