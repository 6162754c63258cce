"""The inbox on the phone (我的 → 消息): 待办 and 消息, opening one, marking all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rongmei.core.errors import NotFoundError

from . import selectors, services
from .models import Box


@login_required
def inbox(request):
    counts = selectors.counts(user=request.user)
    box = request.GET.get("box")
    if box not in Box.values:
        box = Box.TODO if counts["todo"] else Box.MESSAGE
    done = request.GET.get("done") == "1"
    return render(request, "notices/inbox.html", {
        "box": box, "counts": counts, "done": done,
        "notices": selectors.inbox(user=request.user, box=box, include_done=done)[:100],
        "active_tab": "me"})


@login_required
def open_notice(request, pk: int):
    """Mark one's own notice read and go where it points."""
    try:
        notice = services.mark_read(user=request.user, notice_id=pk)
    except NotFoundError:
        raise Http404("消息不存在") from None
    return redirect(notice.link or f"{reverse('notices:inbox')}?box={notice.box}")


@login_required
@require_POST
def read_all(request):
    box = request.POST.get("box", "")
    services.mark_all_read(user=request.user, box=box or None)
    return redirect(f"{reverse('notices:inbox')}?box={box}" if box in Box.values
                    else reverse("notices:inbox"))
