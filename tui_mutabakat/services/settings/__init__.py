"""Settings: the working settings and own company, users and their sender identity, trying mail
servers.
"""
