// description: Internal ids of these persons, to re-derive their indexes after a merge or split.
// params:
//   person_ids: list<string>
MATCH (p:Person)
WHERE p.person_id IN $person_ids
RETURN id(p) AS nid
