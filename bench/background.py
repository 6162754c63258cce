"""Child process: a scenario's background writes while the load generator reads.

``python -m bench.background SCENARIO SECONDS`` reads the scenario's context (JSON) on
standard input, prints ``ready`` once Django is set up, then runs ``Scenario.background``
until SIGTERM or SECONDS have passed (a bound, whatever the parent does), and prints as its
last line the JSON object it returns.
"""

from __future__ import annotations

import json
import signal
import sys
import threading


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from .scenarios import get_scenario

    scenario, seconds = get_scenario(argv[0]), float(argv[1])
    context = json.loads(sys.stdin.read() or "{}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    result = scenario.background(context, stop=stop, seconds=seconds)
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
