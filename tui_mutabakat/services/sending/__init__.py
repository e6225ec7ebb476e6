"""The sender's side: composing letters, writing a batch into the outbox, delivering each letter
exactly once, and what came of it.
"""
