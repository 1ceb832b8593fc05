// description: >-
//   The facts that say what the caller sees of these nodes (a person's name, a hotel's
//   spelling, an address's street): their visible INVOLVES and MENTIONS from visible cases,
//   counted per node, case and spelling (only the fields a label is made of, no node or
//   fact objects: views label thousands of nodes at once).
// params:
//   allowed_cases: list<string>
//   nids: list
UNWIND $nids AS nid
MATCH (n)<-[r:INVOLVES|MENTIONS]-(c:Case)
WHERE id(n) = nid AND r.case_id IN $allowed_cases
RETURN nid, type(r) AS type, r.case_id AS case_id, r.name AS name, r.street AS street,
       r.city AS city, r.hotel_name AS hotel_name, r.site AS site, r.advert_id AS advert_id,
       count(*) AS facts
