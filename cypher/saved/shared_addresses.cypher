// name: shared_addresses
// title: Addresses shared by unrelated persons
// description: >-
//   Addresses where two persons live or work who have no association in your cases: a flat
//   used as a brothel or to house victims, a letterbox address of a network, or persons
//   whose link nobody has recorded yet.
// action: run-saved-query
// result: table
// tags: [addresses, persons, cross-case]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   different_cases:
//     type: bool
//     default: false
//     label: Only persons recorded in different cases
MATCH (c:Case)-[m:MENTIONS]->(a:Address)
WHERE c.case_id IN $allowed_cases AND m.case_id IN $allowed_cases
WITH DISTINCT a
MATCH (p1:Person)-[r1:RESIDES_AT]->(a)<-[r2:RESIDES_AT]-(p2:Person)
WHERE r1.case_id IN $allowed_cases AND r2.case_id IN $allowed_cases AND id(p1) < id(p2)
  AND (NOT $different_cases OR r1.case_id <> r2.case_id)
OPTIONAL MATCH (p1)-[x:ASSOCIATED_WITH]-(p2)
WHERE x.case_id IN $allowed_cases
WITH a, p1, p2, r1, r2, count(x) AS associations
WHERE associations = 0
MATCH (:Case)-[i1:INVOLVES]->(p1)
WHERE i1.case_id = r1.case_id
MATCH (:Case)-[i2:INVOLVES]->(p2)
WHERE i2.case_id = r2.case_id
WITH a, p1, p2, r1, r2, i1, i2
MATCH (sc:Case {case_id: r1.case_id})
WITH a, p1, p2, r1, r2, i1, i2, sc
MATCH (sc)-[am:MENTIONS]->(a)
WHERE am.case_id = r1.case_id
WITH a, p1, p2, collect(DISTINCT i1.name)[0] AS name_1, collect(DISTINCT i2.name)[0] AS name_2,
     collect(DISTINCT am.street)[0] AS street, collect(DISTINCT am.city)[0] AS city,
     collect(DISTINCT r1.case_id) + collect(DISTINCT r2.case_id) AS both_cases,
     collect(DISTINCT r1.kind) + collect(DISTINCT r2.kind) AS kinds
RETURN a AS address, street, city, p1 AS person_1, name_1, p2 AS person_2, name_2,
       reduce(acc = [], x IN both_cases | CASE WHEN x IN acc THEN acc ELSE acc + x END) AS cases,
       reduce(acc = [], x IN kinds | CASE WHEN x IN acc THEN acc ELSE acc + x END) AS kinds
ORDER BY city, street, name_1, name_2
LIMIT $row_limit
