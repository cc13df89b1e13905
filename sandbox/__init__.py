"""touchpath: sandbox."""
