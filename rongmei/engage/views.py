"""Resident pages of 互动 that work without JavaScript: a story's full comment page (with
the comment form and "加载更多" as plain links) and "我的收藏"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from rongmei.core.errors import ServiceError
from rongmei.core.pagecache import mark_cacheable, page_tag

from . import selectors, services


def comments_page(request, page_id: int):
    try:
        page = services.live_page(page_id)
    except ServiceError:
        raise Http404 from None
    error, form = None, {"body": ""}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/login/?next=/engage/pages/{page.pk}/comments/")
        form = {"body": request.POST.get("body", "")}
        try:
            services.comment_post(user=request.user, page_id=page.pk, body=form["body"])
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, "评论已提交，审核通过后公开")
            return redirect("engage:comments", page_id=page.pk)
    try:
        comments, next_cursor = selectors.public_comments(
            page_id=page.pk, cursor=request.GET.get("cursor"))
    except ServiceError:
        raise Http404 from None
    response = render(request, "engage/comments.html", {
        "page": page, "comments": comments, "next_cursor": next_cursor, "error": error,
        "form": form, "comments_open": services.comments_open(page.pk),
        "mine": selectors.my_pending_comments(user=request.user, page_id=page.pk),
    }, status=error.status if error else 200)
    if not request.user.is_authenticated and request.method == "GET":
        mark_cacheable(response, seconds=30, tags=(page_tag(page.pk),))
    return response


@login_required
def favourites_page(request):
    try:
        items, next_cursor = selectors.favourites_of(user=request.user,
                                                     cursor=request.GET.get("cursor"))
    except ServiceError:
        items, next_cursor = [], None
    return render(request, "engage/favourites.html", {
        "items": items, "next_cursor": next_cursor, "active_tab": "me"})
