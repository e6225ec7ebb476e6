"""Screens of the seed-004 operations: movements, sales orders, approval, shipping, settlement,
parameters.
"""
