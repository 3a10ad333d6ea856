"""Start the real scheduler in this process with its clock set to a chosen moment.

    python -m tests.scheduler.clock 2027-01-11T07:30:00+00:00 [--once]

time-machine moves the clock of this process only (and lets it tick on from there), so a
test can start a real scheduler process "at" 07:30 on a chosen Monday.
"""

from __future__ import annotations

import sys
from datetime import datetime

import time_machine


def main() -> int:
    moment = datetime.fromisoformat(sys.argv[1])
    with time_machine.travel(moment, tick=True):
        from scheduler.__main__ import main as scheduler_main

        return scheduler_main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
