"""The ``rongmei`` command: Django's manage.py with Rongmei's settings.

``rongmei seed-demo`` is ``rongmei seed_demo``: hyphenated names are accepted for every
command, so the documented spellings (``seed-demo``, ``ensure-roles``) work as typed.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongmei.config.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
