// description: >-
//   Benchmark baseline: the raw store's rate for the simplest fact write (FALKORDB.md's
//   UNWIND … MERGE shape), to compare the loader against on the same run.
// params:
//   rows: list<map>
UNWIND $rows AS r
MERGE (c:Case {case_id: r.case_id})
MERGE (n:Phone {e164: r.e164})
MERGE (c)-[m:MENTIONS {rel_key: r.rel_key}]->(n)
