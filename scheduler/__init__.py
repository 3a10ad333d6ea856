"""The scheduler: the process that sweeps reminders and delivers the outbox, every minute.

Run it beside the web server (``python -m scheduler`` or ``mdt scheduler``), never inside a
web worker. It is safe to run two against one PostgreSQL database (one sweeps at a time, under
an advisory lock; both deliver, each message claimed by one); on SQLite a lock file next to
the database refuses a second one.
"""
