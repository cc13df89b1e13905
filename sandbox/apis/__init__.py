"""One module per mirrored API: ROUTES, ENDPOINT, fault_error()."""
