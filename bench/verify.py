"""Child process: check a scenario's outcome in the bench database after it ran.

``python -m bench.verify SCENARIO`` reads the scenario's context (JSON) on standard input
and prints, as its last line, the JSON object ``Scenario.verify()`` returns.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from .scenarios import get_scenario

    context = json.loads(sys.stdin.read() or "{}")
    print(json.dumps(get_scenario(argv[0]).verify(context), ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
