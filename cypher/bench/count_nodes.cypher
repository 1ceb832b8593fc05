// description: Benchmark check (bench/ingest.py) - how many nodes the graph holds.
MATCH (n)
RETURN count(n) AS count
