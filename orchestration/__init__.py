"""touchpath: orchestration."""
