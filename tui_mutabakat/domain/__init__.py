"""Pure business vocabulary and rules: no I/O, no database, no interface."""
