// description: >-
//   Delete the whole graph in bounded transactions (tests and `init --reset` only):
//   relationships first, then nodes, each statement deleting at most $batch and returning
//   how many it deleted; the store repeats a statement until it deletes nothing. Constraints
//   and indexes stay. A loop rather than CALL { … } IN TRANSACTIONS, which needs an
//   auto-commit transaction and whose importing-WITH form is deprecated since Neo4j 5.23.
// params:
//   batch: int
MATCH ()-[r]->()
WITH r LIMIT $batch
DELETE r
RETURN count(*) AS deleted
;
MATCH (n)
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS deleted
