// name: jit_touching_national
// title: Entities in JIT cases touching national cases
// description: >-
//   Persons, phones, addresses, hotels and adverts that a Joint Investigation Team case shares
//   with a national case: what to raise with the JIT partners and Europol, and which national
//   investigation to bring into the team.
// action: run-saved-query
// result: table
// tags: [jit, cross-case, international]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   kind:
//     type: string
//     default: any
//     choices: [any, person, phone, address, hotel, advert]
//     label: Kind of entity
MATCH (j:Case)-[rj]->(n)<-[rn]-(k:Case)
WHERE j.case_id IN $allowed_cases AND k.case_id IN $allowed_cases
  AND rj.case_id IN $allowed_cases AND rn.case_id IN $allowed_cases
  AND coalesce(j.jit, '') <> '' AND coalesce(k.jit, '') = ''
  AND ($kind = 'any' OR toLower(labels(n)[0]) = $kind)
WITH n, collect(DISTINCT j.case_id) AS jit_cases, collect(DISTINCT j.jit) AS teams,
     collect(DISTINCT k.case_id) AS national_cases
RETURN n AS entity, toLower(labels(n)[0]) AS kind, teams, jit_cases, national_cases
ORDER BY kind, size(national_cases) DESC, jit_cases[0]
LIMIT $row_limit
