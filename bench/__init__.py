"""Benchmarks at the scale of a GP practice and of a whole region (issue #9): a data
generator (`mdt bench-seed`), the runner (`mdt bench`) and scripts for single questions.
Outside the app: none of it is served; the floor route it times is mdt/core/floor.py."""
