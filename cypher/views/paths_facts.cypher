// description: >-
//   The visible facts joining each consecutive pair of nodes of the paths the path finder
//   kept (internal ids of this request), with both nodes: what the chain shows as
//   "Ioana -stayed at (case K-MITT-02, MITT-H1)-> Hotell …". The same filter as
//   views/paths_expand: visible facts, no case node, no merge suggestion. Both ends are found
//   by id first so that the facts are read between the two (FalkorDB: Expand Into), not by
//   walking every fact of a busy node on the path (a hotel with hundreds of stays).
// params:
//   allowed_cases: list<string>
//   pairs: list
UNWIND $pairs AS pair
MATCH (a) WHERE id(a) = pair[0]
WITH pair, a
MATCH (b) WHERE id(b) = pair[1]
WITH pair, a, b
MATCH (a)-[r]-(b)
WHERE r.case_id IN $allowed_cases AND type(r) <> 'MAYBE_SAME_AS' AND NOT a:Case AND NOT b:Case
RETURN pair[0] AS a_nid, pair[1] AS b_nid, a, b, r AS rel
