"""Benchmarks at the scale of a GP practice, a whole region (issue #9) and a nation (issue
#27): a data generator (`mdt bench-seed`), the runner (`mdt bench`) and scripts for single
questions. Outside the app: none of it is served; the floor route it times is
mdt/core/floor.py."""
