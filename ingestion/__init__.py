"""touchpath: ingestion."""
