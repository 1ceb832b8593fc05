// name: facts_in_period
// title: Dated facts in a period
// description: >-
//   Stays, calls, adverts and phone use that your cases date within a period, in date order:
//   a timeline of an operation week, or of the weeks around an arrest.
// action: run-saved-query
// result: table
// tags: [dates, timeline]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   from:
//     type: string
//     format: date
//     label: From (YYYY-MM-DD)
//   to:
//     type: string
//     format: date
//     label: To (YYYY-MM-DD)
MATCH (c:Case)-[m]->(n)
WHERE c.case_id IN $allowed_cases AND m.case_id IN $allowed_cases
WITH DISTINCT n
MATCH (n)-[r]->(o)
WHERE r.case_id IN $allowed_cases
  AND (r.other_case_id IS NULL OR r.other_case_id IN $allowed_cases)
WITH n, r, o,
     substring(coalesce(r.check_in, r.first_call, r.posted, r.first_seen, r.last_seen), 0, 10) AS first,
     substring(coalesce(r.check_out, r.last_call, r.last_seen, r.check_in, r.first_call, r.posted,
                        r.first_seen), 0, 10) AS last
WHERE first IS NOT NULL AND first <= $to AND last >= $from
RETURN first, last, type(r) AS link, n AS from_entity, o AS to_entity, r.case_id AS case_id,
       r.source AS source
ORDER BY first, link, source
LIMIT $row_limit
