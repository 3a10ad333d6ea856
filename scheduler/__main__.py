"""python -m scheduler [--once]"""

from __future__ import annotations

import argparse
import sys

from mdt.config import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scheduler",
        description="Sweep reminders and deliver queued mail every minute, until stopped.",
    )
    parser.add_argument("--once", action="store_true", help="run one sweep and delivery, then exit")
    args = parser.parse_args(argv)
    from mdt import create_app
    from scheduler.runner import configure_logging, run

    configure_logging()
    try:
        return run(create_app(), once=args.once)
    except ConfigError as exc:
        print(f"scheduler: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
