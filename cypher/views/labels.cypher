// description: >-
//   The facts that say what the caller sees of these nodes (a person's name, a hotel's
//   spelling, an address's street): their visible INVOLVES and MENTIONS from visible cases.
// params:
//   allowed_cases: list<string>
//   nids: list
UNWIND $nids AS nid
MATCH (n)<-[r:INVOLVES|MENTIONS]-(c:Case)
WHERE id(n) = nid AND r.case_id IN $allowed_cases
RETURN nid, n AS node, r AS rel, c AS owner
