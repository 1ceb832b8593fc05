// name: overlapping_stays
// title: Persons at the same hotel on overlapping dates
// description: >-
//   Pairs of persons whose stays at one hotel overlap in time (check-in to check-out, a stay
//   without check-out counting as its check-in day): a buyer and a victim, a controller
//   watching a victim, or two victims moved together. By default only pairs from different
//   cases, the links no single investigation sees.
// action: run-saved-query
// result: table
// tags: [hotels, persons, dates, cross-case]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   same_case:
//     type: bool
//     default: false
//     label: Include pairs from one and the same case
//   hotel:
//     type: string
//     default: ""
//     label: Hotel name contains
//     help: Leave empty for every hotel.
MATCH (c:Case)-[hm:MENTIONS]->(h:Hotel)
WHERE c.case_id IN $allowed_cases AND hm.case_id IN $allowed_cases
  AND ($hotel = '' OR toLower(hm.hotel_name) CONTAINS toLower($hotel))
WITH DISTINCT h
MATCH (a:Person)-[s1:STAYED_AT]->(h)<-[s2:STAYED_AT]-(b:Person)
WHERE s1.case_id IN $allowed_cases AND s2.case_id IN $allowed_cases AND id(a) < id(b)
  AND ($same_case OR s1.case_id <> s2.case_id)
  AND substring(s1.check_in, 0, 10) <= substring(coalesce(s2.check_out, s2.check_in), 0, 10)
  AND substring(s2.check_in, 0, 10) <= substring(coalesce(s1.check_out, s1.check_in), 0, 10)
MATCH (:Case)-[ia:INVOLVES]->(a)
WHERE ia.case_id = s1.case_id
MATCH (:Case)-[ib:INVOLVES]->(b)
WHERE ib.case_id = s2.case_id
WITH h, a, b, s1, s2, ia, ib
MATCH (sc:Case {case_id: s1.case_id})
WITH h, a, b, s1, s2, ia, ib, sc
MATCH (sc)-[n:MENTIONS]->(h)
WHERE n.case_id = s1.case_id
WITH h, a, b, s1, s2, collect(DISTINCT ia.name)[0] AS name_a, collect(DISTINCT ib.name)[0] AS name_b,
     collect(DISTINCT n.hotel_name)[0] AS hotel_name, collect(DISTINCT n.city)[0] AS city
RETURN h AS hotel, hotel_name, city,
       a AS person_a, name_a, s1.case_id AS case_a, s1.check_in AS in_a, s1.check_out AS out_a,
       b AS person_b, name_b, s2.case_id AS case_b, s2.check_in AS in_b, s2.check_out AS out_b
ORDER BY in_a, hotel_name, name_a, name_b
LIMIT $row_limit
