"""Screens of Gönderilmiş e-Mutabakatlar (371002): batches, letters, details, answers, the
dashboard.
"""
