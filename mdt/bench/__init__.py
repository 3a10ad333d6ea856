"""Benchmarks at the scale of a GP practice and of a whole region (issue #9): a data
generator (`mdt bench-seed`), the floor route, and the runner (`mdt bench`)."""
