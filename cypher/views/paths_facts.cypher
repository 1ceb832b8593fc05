// description: >-
//   The visible facts joining each consecutive pair of nodes of the paths the path finder
//   kept (internal ids of this request), with both nodes: what the chain shows as
//   "Ioana -stayed at (case K-MITT-02, MITT-H1)-> Hotell …". The same filter as
//   views/paths_expand: visible facts, no case node, no merge suggestion.
// params:
//   allowed_cases: list<string>
//   pairs: list
UNWIND $pairs AS pair
MATCH (a)-[r]-(b)
WHERE id(a) = pair[0] AND id(b) = pair[1] AND r.case_id IN $allowed_cases
  AND type(r) <> 'MAYBE_SAME_AS' AND NOT a:Case AND NOT b:Case
RETURN pair[0] AS a_nid, pair[1] AS b_nid, a, b, r AS rel
