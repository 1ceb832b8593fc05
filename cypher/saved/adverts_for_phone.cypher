// name: adverts_for_phone
// title: Adverts listing a phone
// description: >-
//   Every escort advert in your cases that shows a number, on any site, with its city and
//   date: where and when a victim was advertised, for the case file and for takedowns.
// action: run-saved-query
// result: table
// tags: [adverts, phones]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   phone:
//     type: string
//     format: phone
//     label: Phone number
//     help: In any spelling; +46 is assumed without a country code.
MATCH (c:Case)-[m:MENTIONS]->(a:Advert)-[l:LISTS]->(p:Phone)
WHERE c.case_id IN $allowed_cases AND m.case_id IN $allowed_cases AND l.case_id = m.case_id
  AND p.e164 = $phone
RETURN a AS advert, m.site AS site, m.advert_id AS advert_id, m.city AS city,
       coalesce(l.posted, m.posted) AS posted, m.url AS url, m.case_id AS case_id,
       m.source AS source
ORDER BY posted, site
LIMIT $row_limit
