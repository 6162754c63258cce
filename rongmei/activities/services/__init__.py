"""活动's rules: contests (registration → entry → review → vote → results), prize quizzes
(the server keeps the clock and the key) and public draws (rongmei.core.draw).

Every staff action asks ``rongmei.units.access``; every text residents can read passes the
word gate (``core.public_text.gate_texts``); photos go through ``core.uploads``; points go
through the ledger (the 答题 rule). Errors are :class:`ServiceError` with Chinese messages.

In four parts: ``contests`` (征集评选), ``quizzes`` (有奖答题), ``draws`` (公开摇号) and
``common``, what they share; callers use this package (``services.vote_cast``).
"""

# ruff: noqa: F401 (re-exported: the package is the services module callers know)

from .common import (
    ImportReport,
    check_operator,
    gate_texts,
)
from .contests import (
    IP_BURST,
    MAX_CUSTOM_FIELDS,
    NEW_ACCOUNT_DAYS,
    SHARED_DEVICE_VOTERS,
    SHARED_DEVICE_WINDOW,
    access_judging,
    contest_count_display_set,
    contest_create,
    contest_proposal_review,
    custom_fields_parse,
    entry_finalist_set,
    entry_review,
    entry_score,
    entry_submit,
    judge_add,
    judge_remove,
    registration_create,
    registration_open,
    registration_photo_open,
    vote_cast,
    votes_invalidate,
)
from .votes import VoterUnknown
from .draws import (
    DRAW_COLUMNS,
    draw_close,
    draw_create,
    draw_run,
    entrants_import,
    quiz_entrant_code,
    quiz_qualifiers,
    quiz_winner_accounts,
)
from .livequiz import (
    live_answer,
    live_leaderboard,
    live_question_push,
    live_questions_left,
    live_quiz_create,
    live_quiz_finish,
    live_reveal,
    live_state,
    my_live_answers,
)
from .quizzes import (
    ANY,
    BANK_COLUMNS,
    BANK_REQUIRED,
    JUDGE_ANSWERS,
    JUDGE_OPTIONS,
    KIND_NAMES,
    LATE_GRACE,
    QUIZ,
    attempt_paper,
    attempt_review,
    attempt_start,
    attempt_submit,
    clean_draw_rules,
    import_bank,
    key_released,
    quiz_create,
)
