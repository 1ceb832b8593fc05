// name: new_links_since
// title: New links since a date
// description: >-
//   Facts that batches loaded since a date added to your cases (by the batch's load time, not
//   the dates the facts state), with how many of your cases each end is now in: what changed
//   in the picture since the last briefing. A case's new record of a person or a phone is a
//   link too: it may join that entity to another investigation.
// action: run-saved-query
// result: table
// tags: [batches, dates, cross-case]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   since:
//     type: string
//     format: date
//     label: Loaded on or after
//     help: A date, YYYY-MM-DD (UTC); compared with each batch's commit time.
//   batch_ids:
//     type: list<string>
//     server: batches-since
//     from: since
//   case_records:
//     type: bool
//     default: true
//     label: Include the cases' own records (a case mentions or involves an entity)
CALL {
  MATCH (c:Case)-[m]->(n)
  WHERE c.case_id IN $allowed_cases AND m.case_id IN $allowed_cases
  WITH DISTINCT n
  MATCH (n)-[r]->(o)
  WHERE r.case_id IN $allowed_cases AND r.batch_id IN $batch_ids
    AND (r.other_case_id IS NULL OR r.other_case_id IN $allowed_cases)
  RETURN n, r, o
  UNION
  MATCH (n:Case)-[r]->(o)
  WHERE $case_records AND n.case_id IN $allowed_cases AND r.case_id IN $allowed_cases
    AND r.batch_id IN $batch_ids
  RETURN n, r, o
}
WITH n, r, o,
     size([x IN coalesce(n.case_ids, []) WHERE x IN $allowed_cases]) AS from_cases,
     size([x IN coalesce(o.case_ids, []) WHERE x IN $allowed_cases]) AS to_cases
RETURN type(r) AS link, n AS from_entity, o AS to_entity, r.case_id AS case_id,
       r.source AS source, from_cases, to_cases, r AS fact
ORDER BY case_id, link, source
LIMIT $row_limit
