"""Running the service: settings from the environment, JSON logs, Prometheus metrics, per-key
locks across workers, rate limits.

May import: storage and catalog (locks claim rows in the database). Nothing above.
"""
