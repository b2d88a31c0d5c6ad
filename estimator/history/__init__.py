"""What the firm's completed projects teach: how accurate its estimates were, and the factors that correct them.

Pure computation over `records.CompletedProject` values the workflow gathers; nothing here
reaches the database, so the bench can run a simulated firm through the same code.
"""
