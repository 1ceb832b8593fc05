// name: call_hubs
// title: Call-graph hubs
// description: >-
//   Phones that talk to the most other phones in your cases' call records: switchboards of
//   a procuring network, a controller's handling phone, or a driver's phone.
// action: run-saved-query
// result: table
// tags: [phones, calls, network]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   min_partners:
//     type: int
//     default: 3
//     min: 1
//     max: 10000
//     label: At least this many call partners
MATCH (c:Case)-[m:MENTIONS]->(p:Phone)
WHERE c.case_id IN $allowed_cases AND m.case_id IN $allowed_cases
WITH DISTINCT p
MATCH (p)-[k:CALLED]-(o:Phone)
WHERE k.case_id IN $allowed_cases
WITH p, count(DISTINCT o) AS partners, sum(coalesce(toInteger(k.count), 1)) AS calls,
     collect(DISTINCT k.case_id) AS cases
WHERE partners >= $min_partners
OPTIONAL MATCH (u:Person)-[us:USES]->(p)
WHERE us.case_id IN $allowed_cases
OPTIONAL MATCH (:Case)-[i:INVOLVES]->(u)
WHERE i.case_id = us.case_id
WITH p, partners, calls, cases, collect(DISTINCT i.name) AS users
RETURN p AS phone, partners, calls, users, cases
ORDER BY partners DESC, calls DESC, p.e164
LIMIT $row_limit
