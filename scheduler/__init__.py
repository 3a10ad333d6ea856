"""The scheduler: the process that sweeps reminders and delivers the outbox, every minute.

Run it beside the web server (``python -m scheduler`` or ``mdt scheduler``), never inside a
web worker. It is safe to run several against one PostgreSQL database (they share the sweep's
shards, each claimed by one with a row lock; all deliver, each message claimed by one); on
SQLite a lock file next to the database refuses a second one.
"""
