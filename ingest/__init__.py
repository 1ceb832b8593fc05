"""CSV ingest: read, validate, normalise and resolve case data for the graph store."""
