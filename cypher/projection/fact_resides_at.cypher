// description: Create the projection's RESIDES_AT facts between nodes it already holds.
// params:
//   rows: list<map>
UNWIND $rows AS r
MATCH (a)
WHERE id(a) = r.s
MATCH (b)
WHERE id(b) = r.e
CREATE (a)-[x:RESIDES_AT]->(b)
SET x = r.props
