"""Child process: bring the bench database up to date and set up the scenarios' data.

``python -m bench.prepare SCENARIO…`` runs with the bench's environment (``Stack.environ``):
``migrate``, ``seed-demo`` (idempotent), then each scenario's ``setup()``. Its last line of
output is a JSON object mapping each scenario to the context its setup returned.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    from .scenarios import get_scenario

    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=sys.stderr)
    contexts = {name: get_scenario(name).setup() for name in argv}
    print(json.dumps(contexts, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
