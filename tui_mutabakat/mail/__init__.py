"""Mail: letters from templates, MIME messages, secrets, and delivery (SMTP or files)."""
