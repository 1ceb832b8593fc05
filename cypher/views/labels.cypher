// description: >-
//   The facts that say what the caller sees of these nodes (a person's name, a hotel's
//   spelling, an address's street): their visible INVOLVES and MENTIONS from visible cases,
//   counted per node and spelling, with the cases that spell it so (only the fields a label
//   is made of, no node or fact objects: views label thousands of nodes at once, and an
//   entity that hundreds of cases mention is mostly spelled one way).
// params:
//   allowed_cases: list<string>
//   nids: list
UNWIND $nids AS nid
MATCH (n)<-[r:INVOLVES|MENTIONS]-(c:Case)
WHERE id(n) = nid AND r.case_id IN $allowed_cases
RETURN nid, type(r) AS type, r.name AS name, r.street AS street, r.city AS city,
       r.hotel_name AS hotel_name, r.site AS site, r.advert_id AS advert_id,
       count(*) AS facts, collect(DISTINCT r.case_id) AS cases
