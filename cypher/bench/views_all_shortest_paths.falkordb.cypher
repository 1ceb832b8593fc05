// description: >-
//   bench/views.py: the raw reference for the path finder, as FALKORDB.md measured it:
//   undirected allShortestPaths up to 6 hops between two persons, with no filter on the facts
//   it crosses (FalkorDB's path functions take none) and through case nodes too.
// params:
//   a: string
//   b: string
MATCH (a:Person {person_id: $a}), (b:Person {person_id: $b})
WITH a, b
MATCH p = allShortestPaths((a)-[*..6]-(b))
RETURN count(p) AS paths, min(length(p)) AS hops
