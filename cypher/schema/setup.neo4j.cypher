// description: >-
//   Neo4j schema: a uniqueness constraint on the key of every entity kind, range indexes
//   on the relationship properties that writes and withdrawals look facts up by, then a wait
//   until every index is online. Idempotent (IF NOT EXISTS). Person.match_keys and
//   n.case_ids get no index: a Neo4j 5 range index on a list property does not serve
//   `$x IN n.list` lookups. Full-text indexes serve search: names on INVOLVES, the hotel,
//   street, city and advert spellings on MENTIONS, and case titles.
CREATE CONSTRAINT case_case_id IF NOT EXISTS
FOR (n:Case) REQUIRE n.case_id IS UNIQUE
;
CREATE CONSTRAINT person_person_id IF NOT EXISTS
FOR (n:Person) REQUIRE n.person_id IS UNIQUE
;
CREATE CONSTRAINT phone_e164 IF NOT EXISTS
FOR (n:Phone) REQUIRE n.e164 IS UNIQUE
;
CREATE CONSTRAINT address_address_key IF NOT EXISTS
FOR (n:Address) REQUIRE n.address_key IS UNIQUE
;
CREATE CONSTRAINT hotel_hotel_key IF NOT EXISTS
FOR (n:Hotel) REQUIRE n.hotel_key IS UNIQUE
;
CREATE CONSTRAINT advert_advert_key IF NOT EXISTS
FOR (n:Advert) REQUIRE n.advert_key IS UNIQUE
;
CREATE INDEX involves_rel_key IF NOT EXISTS
FOR ()-[r:INVOLVES]-() ON (r.rel_key)
;
CREATE INDEX mentions_rel_key IF NOT EXISTS
FOR ()-[r:MENTIONS]-() ON (r.rel_key)
;
CREATE INDEX uses_rel_key IF NOT EXISTS
FOR ()-[r:USES]-() ON (r.rel_key)
;
CREATE INDEX resides_at_rel_key IF NOT EXISTS
FOR ()-[r:RESIDES_AT]-() ON (r.rel_key)
;
CREATE INDEX stayed_at_rel_key IF NOT EXISTS
FOR ()-[r:STAYED_AT]-() ON (r.rel_key)
;
CREATE INDEX located_at_rel_key IF NOT EXISTS
FOR ()-[r:LOCATED_AT]-() ON (r.rel_key)
;
CREATE INDEX called_rel_key IF NOT EXISTS
FOR ()-[r:CALLED]-() ON (r.rel_key)
;
CREATE INDEX lists_rel_key IF NOT EXISTS
FOR ()-[r:LISTS]-() ON (r.rel_key)
;
CREATE INDEX associated_with_rel_key IF NOT EXISTS
FOR ()-[r:ASSOCIATED_WITH]-() ON (r.rel_key)
;
CREATE INDEX maybe_same_as_rel_key IF NOT EXISTS
FOR ()-[r:MAYBE_SAME_AS]-() ON (r.rel_key)
;
CREATE INDEX involves_case_id IF NOT EXISTS
FOR ()-[r:INVOLVES]-() ON (r.case_id)
;
CREATE INDEX mentions_case_id IF NOT EXISTS
FOR ()-[r:MENTIONS]-() ON (r.case_id)
;
CREATE INDEX uses_case_id IF NOT EXISTS
FOR ()-[r:USES]-() ON (r.case_id)
;
CREATE INDEX resides_at_case_id IF NOT EXISTS
FOR ()-[r:RESIDES_AT]-() ON (r.case_id)
;
CREATE INDEX stayed_at_case_id IF NOT EXISTS
FOR ()-[r:STAYED_AT]-() ON (r.case_id)
;
CREATE INDEX located_at_case_id IF NOT EXISTS
FOR ()-[r:LOCATED_AT]-() ON (r.case_id)
;
CREATE INDEX called_case_id IF NOT EXISTS
FOR ()-[r:CALLED]-() ON (r.case_id)
;
CREATE INDEX lists_case_id IF NOT EXISTS
FOR ()-[r:LISTS]-() ON (r.case_id)
;
CREATE INDEX associated_with_case_id IF NOT EXISTS
FOR ()-[r:ASSOCIATED_WITH]-() ON (r.case_id)
;
CREATE INDEX maybe_same_as_case_id IF NOT EXISTS
FOR ()-[r:MAYBE_SAME_AS]-() ON (r.case_id)
;
CREATE INDEX involves_batch_id IF NOT EXISTS
FOR ()-[r:INVOLVES]-() ON (r.batch_id)
;
CREATE INDEX mentions_batch_id IF NOT EXISTS
FOR ()-[r:MENTIONS]-() ON (r.batch_id)
;
CREATE INDEX uses_batch_id IF NOT EXISTS
FOR ()-[r:USES]-() ON (r.batch_id)
;
CREATE INDEX resides_at_batch_id IF NOT EXISTS
FOR ()-[r:RESIDES_AT]-() ON (r.batch_id)
;
CREATE INDEX stayed_at_batch_id IF NOT EXISTS
FOR ()-[r:STAYED_AT]-() ON (r.batch_id)
;
CREATE INDEX located_at_batch_id IF NOT EXISTS
FOR ()-[r:LOCATED_AT]-() ON (r.batch_id)
;
CREATE INDEX called_batch_id IF NOT EXISTS
FOR ()-[r:CALLED]-() ON (r.batch_id)
;
CREATE INDEX lists_batch_id IF NOT EXISTS
FOR ()-[r:LISTS]-() ON (r.batch_id)
;
CREATE INDEX associated_with_batch_id IF NOT EXISTS
FOR ()-[r:ASSOCIATED_WITH]-() ON (r.batch_id)
;
CREATE INDEX maybe_same_as_batch_id IF NOT EXISTS
FOR ()-[r:MAYBE_SAME_AS]-() ON (r.batch_id)
;
CREATE INDEX involves_pending_case IF NOT EXISTS
FOR ()-[r:INVOLVES]-() ON (r.pending_case)
;
CREATE INDEX mentions_pending_case IF NOT EXISTS
FOR ()-[r:MENTIONS]-() ON (r.pending_case)
;
CREATE INDEX uses_pending_case IF NOT EXISTS
FOR ()-[r:USES]-() ON (r.pending_case)
;
CREATE INDEX resides_at_pending_case IF NOT EXISTS
FOR ()-[r:RESIDES_AT]-() ON (r.pending_case)
;
CREATE INDEX stayed_at_pending_case IF NOT EXISTS
FOR ()-[r:STAYED_AT]-() ON (r.pending_case)
;
CREATE INDEX located_at_pending_case IF NOT EXISTS
FOR ()-[r:LOCATED_AT]-() ON (r.pending_case)
;
CREATE INDEX called_pending_case IF NOT EXISTS
FOR ()-[r:CALLED]-() ON (r.pending_case)
;
CREATE INDEX lists_pending_case IF NOT EXISTS
FOR ()-[r:LISTS]-() ON (r.pending_case)
;
CREATE INDEX associated_with_pending_case IF NOT EXISTS
FOR ()-[r:ASSOCIATED_WITH]-() ON (r.pending_case)
;
CREATE INDEX maybe_same_as_pending_case IF NOT EXISTS
FOR ()-[r:MAYBE_SAME_AS]-() ON (r.pending_case)
;
CREATE FULLTEXT INDEX involves_name IF NOT EXISTS
FOR ()-[r:INVOLVES]-() ON EACH [r.name]
;
CREATE FULLTEXT INDEX mentions_text IF NOT EXISTS
FOR ()-[r:MENTIONS]-() ON EACH [r.hotel_name, r.street, r.city, r.advert_id, r.site]
;
CREATE FULLTEXT INDEX case_title IF NOT EXISTS
FOR (n:Case) ON EACH [n.title]
;
CALL db.awaitIndexes(300)
