// description: >-
//   One hop of the path finder's breadth-first search: for each node of a frontier (internal
//   ids of this request), the internal ids of its neighbours over visible facts only. Case
//   nodes are never entered (paths never pass through a case), merge suggestions are not
//   facts and are not followed. Ids only: the path finder reads the facts of the paths it
//   keeps afterwards (views/paths_facts), so a hop over a busy hotel moves integers, not
//   properties.
// params:
//   allowed_cases: list<string>
//   nids: list
UNWIND $nids AS nid
MATCH (n)-[r]-(m)
WHERE id(n) = nid AND r.case_id IN $allowed_cases AND type(r) <> 'MAYBE_SAME_AS'
  AND NOT n:Case AND NOT m:Case
RETURN nid, collect(DISTINCT id(m)) AS others
