// description: >-
//   Deconfliction: the cases the caller may NOT see that hold a committed fact about one
//   entity the caller may see (internal id from views/entity/*). This is the one kind of read
//   whose purpose is to report on hidden cases, so it is written to pass the store's rules
//   deliberately, and to be safe doing so: (1) it uses $allowed_cases twice, to require that
//   the start entity is visible (the same test as views/entity/*, so an invisible entity
//   yields nothing) and to keep only cases NOT among the caller's; (2) it returns four plain
//   strings per hidden case and never a node, a relationship or a fact property, so the
//   store's redaction has nothing to strip and no fact of a hidden case can travel with it;
//   (3) graphapp/services/hits.py checks that exactly these columns came back and applies
//   the classification rules (covert: nothing; restricted: unit and contact) before anything
//   leaves the service. Pending cases and uncommitted facts are left out.
// params:
//   allowed_cases: list<string>
//   nid: int
MATCH (n)<-[r:INVOLVES|MENTIONS]-(c:Case)
WHERE id(n) = $nid AND any(x IN n.case_ids WHERE x IN $allowed_cases)
  AND r.case_id = c.case_id AND NOT c.case_id IN $allowed_cases AND c.pending_batch IS NULL
RETURN DISTINCT c.case_id AS case_id, c.classification AS classification, c.unit AS unit,
       c.contact AS contact
ORDER BY case_id
