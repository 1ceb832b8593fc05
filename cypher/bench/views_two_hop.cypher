// description: >-
//   bench/views.py: the raw reference for the 2-hop network view, as FALKORDB.md measured it:
//   two explicit hops from a phone (cases are leaves, as in the view), every relationship
//   filtered by r.case_id IN $allowed_cases, LIMIT 500.
// params:
//   allowed_cases: list<string>
//   key: string
MATCH (a:Phone {e164: $key})-[r1]-(b)
WHERE r1.case_id IN $allowed_cases
OPTIONAL MATCH (b)-[r2]-(c)
WHERE r2.case_id IN $allowed_cases AND NOT b:Case
RETURN a, r1, b, r2, c
LIMIT 500
