"""Screens of the settings: company, working settings, mail settings, templates, users."""
