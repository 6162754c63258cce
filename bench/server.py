"""Child process: gunicorn with exactly the options ``rongmei serve`` uses.

``python -m bench.server --bind fd://N --workers W`` runs with the bench's environment
(``Stack.environ``); the bench hands it an already bound socket so the port is never raced.
"""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.server")
    parser.add_argument("--bind", required=True)
    parser.add_argument("--workers", type=int, required=True)
    args = parser.parse_args(argv)

    from rongmei.core.management.commands.serve import gunicorn_options, run_gunicorn

    run_gunicorn(gunicorn_options(bind=args.bind, workers=args.workers))


if __name__ == "__main__":
    main()
