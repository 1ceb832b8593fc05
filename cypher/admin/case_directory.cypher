// description: >-
//   Every committed case's administrative metadata for the admin pages and `casegraph cases
//   list`: its id, unit and classification, never its title, contact or any fact
//   (graphapp/cases.py says why these three).
MATCH (c:Case)
WHERE c.pending_batch IS NULL
RETURN c.case_id AS case_id, c.unit AS unit, coalesce(c.classification, 'normal') AS classification
ORDER BY case_id
