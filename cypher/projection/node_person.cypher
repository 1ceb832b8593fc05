// description: Create the projection's Person nodes (written into a projection graph only).
// params:
//   rows: list<map>
UNWIND $rows AS r
CREATE (n:Person)
SET n = r.props
RETURN r.src AS src, id(n) AS nid
