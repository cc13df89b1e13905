"""touchpath: touchpath."""
