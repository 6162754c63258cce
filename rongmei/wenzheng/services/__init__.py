"""Every write of 问政, one module per concept:

* ``citizen`` — case_submit, case_add_info, case_rate, case_reopen, case_follow, abuse_report
* ``newsroom`` — case_accept, case_reject, case_request_info, case_merge, dispatch_to_unit,
  dispatch_to_grid, redispatch, request_decide, reply_review, progress_review
* ``moderation`` — what the public sees: case_redact, case_withdraw, entry_withdraw,
  report_handle
* ``briefing`` — track ③: briefing_draft, briefing_send_for_review, briefing_review,
  briefing_submit, notice_issue, instruction_record
* ``handling`` — the unit workspace: assignment_acknowledge, contact_log, progress_note,
  return_request, extension_request, reply_draft
* ``tick`` — wenzheng_tick (催办, breaches, 督办, 补充超时, auto-close, calendar reminder)
* ``calendar`` — 节假日安排: holiday_import, holiday_day_save, holiday_day_delete, and the
  recomputation of running deadlines
* ``privacy`` — contact_view, attachment_open
* ``erasure`` — purge_expired, erase_for_account
* ``notify`` — who hears of what, through ``rongmei.notices``
* ``common`` — access (staff_case, own_case), the one ``transition`` function, deadlines
"""

from .briefing import (  # noqa: F401
    briefing_draft,
    briefing_review,
    briefing_send_for_review,
    briefing_submit,
    instruction_record,
    notice_issue,
)
from .calendar import holiday_day_delete, holiday_day_save, holiday_import  # noqa: F401
from .citizen import (  # noqa: F401
    abuse_report,
    case_add_info,
    case_follow,
    case_rate,
    case_reopen,
    case_submit,
)
from .erasure import erase_for_account, purge_expired  # noqa: F401
from .handling import (  # noqa: F401
    assignment_acknowledge,
    contact_log,
    extension_request,
    progress_note,
    reply_draft,
    return_request,
)
from .moderation import case_redact, case_withdraw, entry_withdraw, report_handle  # noqa: F401
from .newsroom import (  # noqa: F401
    case_accept,
    case_merge,
    case_reject,
    case_request_info,
    dispatch_to_grid,
    dispatch_to_unit,
    progress_review,
    redispatch,
    reply_review,
    request_decide,
)
from .privacy import attachment_open, contact_view  # noqa: F401
from .tick import wenzheng_tick  # noqa: F401
