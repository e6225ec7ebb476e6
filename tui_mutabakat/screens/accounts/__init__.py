"""Screens of the accounts: the list, the card, the F10 account lookup, import."""
