"""企业之家 in the resident app: the directory, merchant pages, applying, and 我的店铺."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rongmei.accounts.backends import SMS_CODE_BACKEND
from rongmei.core.errors import ServiceError
from rongmei.core.http import client_ip
from rongmei.core.pagecache import mark_cacheable

from . import selectors, services
from .offers import merchant_offers
from .models import BusinessCategory, PostKind

PAGE_SIZE = 20
APPLY_FIELDS = ("name", "category", "credit_code", "address", "contact_name", "contact_phone",
                "shop_phone", "opening_hours", "intro")
APPLY_FILES = ("licence_photo", "cover")
POST_FIELDS = ("kind", "title", "body", "starts_on", "ends_on")


def _directory_url(**params) -> str:
    """The directory's address with the non-empty ``params`` as its query string."""
    kept = {key: value for key, value in params.items() if value}
    return reverse("merchants:directory") + (f"?{urlencode(kept)}" if kept else "")


def _error_context(exc: ServiceError, fields) -> dict:
    """Show a field's error next to that field; anything else above the form."""
    if exc.field in fields:
        return {"error_field": exc.field, "error_message": exc.message}
    return {"form_error": exc.message}


def directory_view(request):
    category = request.GET.get("category", "")
    if category not in BusinessCategory.values:
        category = ""
    query = request.GET.get("q", "").strip()[:30]
    page = Paginator(selectors.directory(category=category, query=query), PAGE_SIZE).get_page(
        request.GET.get("page"))
    chips = [{"label": "全部", "url": _directory_url(q=query), "active": not category}]
    chips += [{"label": label, "url": _directory_url(category=value, q=query),
               "active": value == category} for value, label in BusinessCategory.choices]
    response = render(request, "merchants/directory.html", {
        "page": page, "chips": chips, "query": query, "category": category,
        "category_label": BusinessCategory(category).label if category else "",
        "previous_url": _directory_url(category=category, q=query,
                                       page=page.previous_page_number())
        if page.has_previous() else "",
        "next_url": _directory_url(category=category, q=query, page=page.next_page_number())
        if page.has_next() else "",
    })
    # The same for every anonymous visitor: nothing here depends on who is looking.
    return mark_cacheable(response, seconds=60)


def merchant_view(request, pk: int):
    merchant = selectors.live_merchant(pk=pk)
    if merchant is None:
        raise Http404("商户不存在或已暂停")
    response = render(request, "merchants/merchant.html", {
        "merchant": merchant,
        "posts": selectors.public_posts(merchant=merchant),
        "offers": merchant_offers(merchant),
    })
    return mark_cacheable(response, seconds=60)


@login_required
def apply_view(request):
    context = {"categories": BusinessCategory.choices, "values": {}}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in APPLY_FIELDS}
        try:
            services.merchant_apply(applicant=request.user, **values,
                                    licence_photo=request.FILES.get("licence_photo"),
                                    cover=request.FILES.get("cover"))
        except ServiceError as exc:
            context.update(values=values, **_error_context(exc, APPLY_FIELDS + APPLY_FILES))
            return render(request, "merchants/apply.html", context, status=exc.status)
        return redirect("merchants:applied")
    return render(request, "merchants/apply.html", context)


@login_required
def applied_view(request):
    return render(request, "merchants/applied.html")


@login_required
def mine_view(request):
    return _render_mine(request)


def _render_mine(request, *, failed: dict | None = None, status: int = 200):
    """我的店铺. ``failed`` names the form that was refused: {merchant_id, form, values, error}."""
    failed = failed or {}
    workspaces = selectors.workspaces_of(user=request.user)
    shown = False
    for workspace in workspaces:
        for form in ("post", "staff"):
            here = (failed.get("merchant_id") == workspace.merchant.pk and failed["form"] == form
                    and (form != "staff" or workspace.is_owner))  # clerks have no staff form
            setattr(workspace, f"{form}_values", failed["values"] if here else {})
            setattr(workspace, f"{form}_error", failed["error"] if here else {})
            shown = shown or here
    # A form this person has no copy of on the page (another shop's, or the staff form of a
    # shop where they are a clerk) shows its error at the top.
    page_error = ""
    if failed and not shown:
        page_error = failed["error"].get("form_error") or failed["error"].get("error_message")
    return render(request, "merchants/mine.html", {
        "applications": selectors.applications_of(user=request.user),
        "invitations": selectors.invitations_for(user=request.user),
        "workspaces": workspaces,
        "post_kinds": PostKind.choices,
        "page_error": page_error,
    }, status=status)


def _back_to_shop(pk: int):
    return redirect(f"{reverse('merchants:mine')}#shop-{pk}")


@login_required
@require_POST
def post_submit_view(request, pk: int):
    values = {name: request.POST.get(name, "").strip() for name in POST_FIELDS}
    try:
        services.post_submit(actor=request.user, merchant=pk, kind=values["kind"],
                             title=values["title"], body=values["body"],
                             image=request.FILES.get("image"),
                             starts_on=values["starts_on"] or None,
                             ends_on=values["ends_on"] or None)
    except ServiceError as exc:
        error = _error_context(exc, POST_FIELDS + ("image",))
        return _render_mine(request, status=exc.status, failed={
            "merchant_id": pk, "form": "post", "values": values, "error": error})
    messages.success(request, "动态已提交，审核通过后将显示在店铺主页")
    return _back_to_shop(pk)


@login_required
@require_POST
def staff_invite_view(request, pk: int):
    phone = request.POST.get("phone", "").strip()
    try:
        invitation = services.staff_invite(actor=request.user, merchant=pk, phone=phone)
    except ServiceError as exc:
        return _render_mine(request, status=exc.status, failed={
            "merchant_id": pk, "form": "staff", "values": {"phone": phone},
            "error": _error_context(exc, ("phone",))})
    messages.success(request, f"已向 {invitation.masked_phone} 发送邀请短信，对方接受后即成为店员")
    return _back_to_shop(pk)


@login_required
@require_POST
def staff_remove_view(request, pk: int, staff_id: int):
    try:
        services.staff_remove(actor=request.user, merchant=pk, staff_id=staff_id)
    except ServiceError as exc:
        return _render_mine(request, status=exc.status, failed={
            "merchant_id": pk, "form": "staff", "values": {},
            "error": {"form_error": exc.message}})
    messages.success(request, "已移除，该人员即刻不能再为本店核销")
    return _back_to_shop(pk)


@login_required
@require_POST
def invitation_revoke_view(request, pk: int, invitation_id: int):
    try:
        services.invitation_revoke(actor=request.user, invitation_id=invitation_id)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "邀请已撤回")
    return _back_to_shop(pk)


@login_required
@require_POST
def invitation_answer_view(request, invitation_id: int):
    accept = request.POST.get("answer") == "accept"
    try:
        invitation = services.invitation_answer(user=request.user, invitation_id=invitation_id,
                                                accept=accept)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("merchants:mine")
    if accept:
        messages.success(request, f"您已成为“{invitation.merchant.name}”的店员")
        return _back_to_shop(invitation.merchant_id)
    messages.success(request, "已拒绝邀请")
    return redirect("merchants:mine")


def join_view(request):
    """店员加入: type the invited number and the code from the SMS to accept (no sign-in
    needed: the code proves the number; accepting signs the person in)."""
    context = {"values": {}}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in ("phone", "code")}
        try:
            staff = services.invitation_accept_by_code(phone=values["phone"],
                                                       code=values["code"],
                                                       ip=client_ip(request))
        except ServiceError as exc:
            context.update(values=values, **_error_context(exc, ("phone", "code")))
            return render(request, "merchants/join.html", context, status=exc.status)
        login(request, staff.user, backend=SMS_CODE_BACKEND)
        messages.success(request, f"您已成为“{staff.merchant.name}”的店员")
        return _back_to_shop(staff.merchant_id)
    return render(request, "merchants/join.html", context)
