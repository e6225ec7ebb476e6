"""Screens of e-Mutabakat Gönder (371001): criteria, the balance list, the send dialog, progress,
errors.
"""
