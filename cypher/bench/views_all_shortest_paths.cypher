// description: >-
//   bench/views.py: the raw reference for the path finder on Neo4j (shortestPath); the bench
//   runs on the embedded FalkorDB, which uses the .falkordb variant.
// params:
//   a: string
//   b: string
MATCH (a:Person {person_id: $a}), (b:Person {person_id: $b})
MATCH p = allShortestPaths((a)-[*..6]-(b))
RETURN count(p) AS paths, min(length(p)) AS hops
