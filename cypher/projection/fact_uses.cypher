// description: Create the projection's USES facts between nodes it already holds.
// params:
//   rows: list<map>
UNWIND $rows AS r
MATCH (a)
WHERE id(a) = r.s
MATCH (b)
WHERE id(b) = r.e
CREATE (a)-[x:USES]->(b)
SET x = r.props
