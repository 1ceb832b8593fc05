// description: Persons whose match keys (HMACs of national id, or name + birth date) include one of these.
// params:
//   keys: list<string>
UNWIND $keys AS k
MATCH (p:Person)
WHERE k IN p.match_keys
RETURN k AS match_key, p.person_id AS person_id
