"""Storage: SQLAlchemy models, sessions, repositories and migrations."""
