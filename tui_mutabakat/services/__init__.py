"""Use cases: what a user (or the worker) asks for, decided here, stored by `data`."""
