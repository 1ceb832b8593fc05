// name: buyers_of_controller
// title: Buyers linked to a controller's phone
// description: >-
//   Buyers in your cases whose phones called, or were called by, a phone that a suspect uses,
//   or that a person the suspect controls uses (the number in her adverts): sex purchasers to
//   interview as witnesses against the procurer, and the procurer's reach across cases.
// action: run-saved-query
// result: table
// tags: [buyers, phones, calls, suspects]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   phone:
//     type: string
//     format: phone
//     default: ""
//     label: Only this controller phone
//     help: In any spelling (070-123 45 67, +46 70 123 45 67); empty for every suspect's phone.
MATCH (c:Case)-[ci:INVOLVES]->(ctrl:Person)
WHERE c.case_id IN $allowed_cases AND ci.case_id IN $allowed_cases AND ci.role = 'suspect'
WITH ctrl, collect(DISTINCT ci.name)[0] AS controller_name
OPTIONAL MATCH (ctrl)-[a:ASSOCIATED_WITH]-(w:Person)
WHERE a.case_id IN $allowed_cases AND a.kind = 'controller'
WITH ctrl, controller_name, [ctrl] + collect(DISTINCT w) AS holders
UNWIND holders AS holder
MATCH (holder)-[u:USES]->(cp:Phone)
WHERE u.case_id IN $allowed_cases AND ($phone = '' OR cp.e164 = $phone)
MATCH (cp)-[k:CALLED]-(bp:Phone)<-[bu:USES]-(buyer:Person)
WHERE k.case_id IN $allowed_cases AND bu.case_id IN $allowed_cases AND buyer <> ctrl
MATCH (:Case)-[bi:INVOLVES]->(buyer)
WHERE bi.case_id IN $allowed_cases AND bi.role = 'buyer'
MATCH (:Case)-[hi:INVOLVES]->(holder)
WHERE hi.case_id = u.case_id
WITH ctrl, controller_name, cp, holder, collect(DISTINCT hi.name)[0] AS holder_name, buyer,
     collect(DISTINCT bi.name)[0] AS buyer_name, bp,
     collect(DISTINCT k.case_id) AS cases, collect(DISTINCT k) AS calls
RETURN ctrl AS controller, controller_name, cp AS controller_phone,
       CASE WHEN holder = ctrl THEN 'own phone' ELSE 'used by ' + holder_name END AS via,
       buyer, buyer_name, bp AS buyer_phone,
       reduce(n = 0, k IN calls | n + coalesce(toInteger(k.count), 1)) AS calls, cases
ORDER BY controller_name, buyer_name
LIMIT $row_limit
