"""The books: account cards, their rule parameters, movements, settlement, sales orders, shipping
and invoices.
"""
