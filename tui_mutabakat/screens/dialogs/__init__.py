"""Modal dialogs shared by every screen: confirm, lookup, contact, action menu, help, a text
prompt.
"""
