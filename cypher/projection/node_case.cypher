// description: Create the projection's Case nodes (written into a projection graph only).
// params:
//   rows: list<map>
UNWIND $rows AS r
CREATE (n:Case)
SET n = r.props
RETURN r.src AS src, id(n) AS nid
