// description: Create the projection's Hotel nodes (written into a projection graph only).
// params:
//   rows: list<map>
UNWIND $rows AS r
CREATE (n:Hotel)
SET n = r.props
RETURN r.src AS src, id(n) AS nid
