"""After sending: the mailbox read into the letters, answers, bounces, reminders, resends, and the
tracking views.
"""
