// description: >-
//   Range indexes for every entity key, person match keys and the fact properties
//   that reads and batch commits look up (FalkorDB has no IF NOT EXISTS: the store skips existing ones);
//   full-text indexes on the fact properties that search reads (names live on INVOLVES edges,
//   hotel, street, city and advert spellings on MENTIONS edges) and on case titles.
CREATE INDEX FOR (n:Case) ON (n.case_id)
;
CREATE INDEX FOR (n:Person) ON (n.person_id)
;
CREATE INDEX FOR (n:Phone) ON (n.e164)
;
CREATE INDEX FOR (n:Address) ON (n.address_key)
;
CREATE INDEX FOR (n:Hotel) ON (n.hotel_key)
;
CREATE INDEX FOR (n:Advert) ON (n.advert_key)
;
CREATE INDEX FOR (n:Person) ON (n.match_keys)
;
CREATE INDEX FOR (n:Person) ON (n.block_keys)
;
CREATE INDEX FOR ()-[r:INVOLVES]-() ON (r.batch_id)
;
CREATE INDEX FOR ()-[r:MENTIONS]-() ON (r.batch_id)
;
CREATE INDEX FOR ()-[r:USES]-() ON (r.batch_id)
;
CREATE INDEX FOR ()-[r:RESIDES_AT]-() ON (r.batch_id)
;
CREATE INDEX FOR ()-[r:STAYED_AT]-() ON (r.batch_id)
;
CREATE INDEX FOR ()-[r:LOCATED_AT]-() ON (r.batch_id)
;
CREATE INDEX FOR ()-[r:CALLED]-() ON (r.batch_id)
;
CREATE INDEX FOR ()-[r:LISTS]-() ON (r.batch_id)
;
CREATE INDEX FOR ()-[r:ASSOCIATED_WITH]-() ON (r.batch_id)
;
CREATE INDEX FOR ()-[r:MAYBE_SAME_AS]-() ON (r.batch_id)
;
CREATE FULLTEXT INDEX FOR ()-[r:INVOLVES]-() ON (r.name)
;
CREATE FULLTEXT INDEX FOR ()-[r:MENTIONS]-() ON (r.hotel_name, r.street, r.city, r.advert_id, r.site)
;
CREATE FULLTEXT INDEX FOR (n:Case) ON (n.title)
