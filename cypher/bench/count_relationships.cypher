// description: Benchmark check (bench/ingest.py) - how many relationships the graph holds.
MATCH ()-[r]->()
RETURN count(r) AS count
