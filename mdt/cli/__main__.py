"""`python -m mdt.cli`: the `mdt` command, for a checkout without the console script."""

from mdt.cli import main

main()
