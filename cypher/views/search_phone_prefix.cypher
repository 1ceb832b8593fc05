// description: >-
//   Phones whose E.164 number starts with the digits typed so far (a partial number, already
//   turned into E.164 form by graphapp/services/search.py), with the visible cases that
//   mention them.
// params:
//   allowed_cases: list<string>
//   prefix: string
//   limit: int
MATCH (n:Phone)
WHERE n.e164 STARTS WITH $prefix
MATCH (n)<-[m:MENTIONS]-(:Case)
WHERE m.case_id IN $allowed_cases
WITH n, count(m) AS facts
RETURN n AS node, id(n) AS nid, facts
LIMIT $limit
