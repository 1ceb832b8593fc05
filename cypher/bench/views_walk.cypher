// description: >-
//   bench/views.py: one step of a random walk over the bench user's visible facts (never into a
//   case), to pick path finder ends that a visible path joins: the neighbours of a person or
//   another node, with their person ids where they are persons.
// params:
//   allowed_cases: list<string>
//   key: string
//   nid: int
OPTIONAL MATCH (p:Person {person_id: $key})
WITH coalesce(id(p), $nid) AS start
MATCH (n)
WHERE id(n) = start
WITH n
MATCH (n)-[r]-(m)
WHERE r.case_id IN $allowed_cases AND type(r) <> 'MAYBE_SAME_AS' AND NOT m:Case
RETURN DISTINCT id(m) AS nid, m.person_id AS person_id
