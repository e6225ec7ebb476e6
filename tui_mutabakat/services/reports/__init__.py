"""Reports for the auditor: the evidence pack (SPEC F1)."""
