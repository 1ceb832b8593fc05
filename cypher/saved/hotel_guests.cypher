// name: hotel_guests
// title: Guests of a hotel in a period
// description: >-
//   Who your cases place at a hotel (name contains) between two dates, with their roles:
//   for a request to the hotel or a visit during an operation week.
// action: run-saved-query
// result: table
// tags: [hotels, persons, dates]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   hotel:
//     type: string
//     label: Hotel name contains
//   from:
//     type: string
//     format: date
//     default: "1900-01-01"
//     label: From (YYYY-MM-DD)
//   to:
//     type: string
//     format: date
//     default: "2999-12-31"
//     label: To (YYYY-MM-DD)
MATCH (c:Case)-[hm:MENTIONS]->(h:Hotel)
WHERE c.case_id IN $allowed_cases AND hm.case_id IN $allowed_cases
  AND toLower(hm.hotel_name) CONTAINS toLower($hotel)
WITH h, collect(DISTINCT hm.hotel_name)[0] AS hotel_name, collect(DISTINCT hm.city)[0] AS city
MATCH (p:Person)-[s:STAYED_AT]->(h)
WHERE s.case_id IN $allowed_cases
  AND substring(s.check_in, 0, 10) <= $to
  AND substring(coalesce(s.check_out, s.check_in), 0, 10) >= $from
MATCH (:Case)-[i:INVOLVES]->(p)
WHERE i.case_id = s.case_id
RETURN h AS hotel, hotel_name, city, p AS person, i.name AS name, i.role AS role,
       s.check_in AS check_in, s.check_out AS check_out, s.room AS room, s.case_id AS case_id,
       s.source AS source
ORDER BY check_in, name
LIMIT $row_limit
