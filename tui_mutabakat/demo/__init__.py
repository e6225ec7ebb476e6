"""The demo company and the large-data generator (`mutabakat demo`, `mutabakat demo-data`)."""
