// description: >-
//   The facts that say what the caller sees of these nodes (a person's name, a hotel's
//   spelling, an address's street): their visible INVOLVES and MENTIONS from visible cases,
//   counted per node and spelling, with the cases that spell it so (only the fields a label
//   is made of, no node or fact objects: views label thousands of nodes at once, and an
//   entity that hundreds of cases mention is mostly spelled one way). The spelling is one
//   list (name, street, city, hotel_name, site, advert_id: services/labels.py SPELLED) and
//   the other end is not tested for :Case (these facts start at a case): at 1M facts each
//   cost a fifth of the query.
// params:
//   allowed_cases: list<string>
//   nids: list
UNWIND $nids AS nid
MATCH (n)<-[r:INVOLVES|MENTIONS]-()
WHERE id(n) = nid AND r.case_id IN $allowed_cases
WITH nid, type(r) AS type, [r.name, r.street, r.city, r.hotel_name, r.site, r.advert_id] AS spelled,
     r.case_id AS case_id
RETURN nid, type, spelled, count(*) AS facts, collect(DISTINCT case_id) AS cases
