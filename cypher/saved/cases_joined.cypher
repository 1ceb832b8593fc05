// name: cases_joined
// title: Cases joined by shared entities
// description: >-
//   Pairs of your cases that share persons, phones, addresses, hotels or adverts, most shared
//   first: investigations that should be coordinated or joined, and whom to call about it.
//   Each visible fact from a case is read once and each entity's cases paired after (reading
//   the pairs as one pattern walked back from every entity to each of its cases once per
//   case: 6 million rows and 20 s at 1M facts).
// action: run-saved-query
// result: table
// tags: [cases, cross-case]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   min_shared:
//     type: int
//     default: 1
//     min: 1
//     max: 10000
//     label: At least this many shared entities
MATCH (c:Case)-[r]->(n)
WHERE c.case_id IN $allowed_cases AND r.case_id IN $allowed_cases
WITH n, collect(DISTINCT c) AS cases
WHERE size(cases) > 1
UNWIND cases AS c1
UNWIND cases AS c2
WITH c1, c2, n
WHERE c1.case_id < c2.case_id
WITH c1, c2, collect(n) AS shared
WHERE size(shared) >= $min_shared
RETURN c1.case_id AS case_a, c1.title AS title_a, c2.case_id AS case_b, c2.title AS title_b,
       size(shared) AS shared,
       size([x IN shared WHERE 'Person' IN labels(x)]) AS persons,
       size([x IN shared WHERE 'Phone' IN labels(x)]) AS phones,
       size([x IN shared WHERE 'Address' IN labels(x)]) AS addresses,
       size([x IN shared WHERE 'Hotel' IN labels(x)]) AS hotels,
       size([x IN shared WHERE 'Advert' IN labels(x)]) AS adverts
ORDER BY shared DESC, case_a, case_b
LIMIT $row_limit
