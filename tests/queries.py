"""Counting the SQL statements a request runs (the guards against a query per row): the
benchmark's own counter, so the suite and `mdt bench` count the same way."""

from bench.pages import count_queries

__all__ = ["count_queries"]
