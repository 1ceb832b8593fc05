// description: How many nodes of each kind the graph holds (ingest summary, before and after).
CALL {
  MATCH (n:Case) RETURN 'Case' AS label, count(n) AS n
  UNION ALL
  MATCH (n:Person) RETURN 'Person' AS label, count(n) AS n
  UNION ALL
  MATCH (n:Phone) RETURN 'Phone' AS label, count(n) AS n
  UNION ALL
  MATCH (n:Address) RETURN 'Address' AS label, count(n) AS n
  UNION ALL
  MATCH (n:Hotel) RETURN 'Hotel' AS label, count(n) AS n
  UNION ALL
  MATCH (n:Advert) RETURN 'Advert' AS label, count(n) AS n
}
RETURN label, n
