"""民生信息 in the resident app: browse and filter, a post with 查看电话 and 举报, posting
with photos, editing, 我的发布 (renew, close)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rongmei.core.errors import PermissionDeniedError, ServiceError
from rongmei.core.http import client_ip

from . import selectors, services
from .fields import SCHEMAS, display
from .models import Category, Post, ReportReason

PAGE_SIZE = 20
FILTER_KEYS = ("price_min", "price_max", "area_min", "area_max", "layout", "condition")
POST_FIELDS = ("title", "body", "contact_name", "contact_phone")


def list_view(request):
    code = request.GET.get("category", "")
    category = Category.objects.filter(code=code).first() if code else None
    query = request.GET.get("q", "").strip()[:30]
    filters = {key: request.GET.get(key, "").strip()[:20] for key in FILTER_KEYS}
    posts = selectors.public_posts(category=category, query=query, filters=filters)
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in {"category": code, "q": query, **filters}.items() if v}
    chips = [{"label": "全部", "url": "?" + urlencode({"q": query} if query else {}),
              "active": category is None}]
    chips += [{"label": c.name, "url": "?" + urlencode({"category": c.code}),
               "active": category is not None and c.pk == category.pk}
              for c in selectors.categories()]
    return render(request, "classifieds/list.html", {
        "page": page, "chips": chips, "category": category, "query": query, "filters": filters,
        "schema": SCHEMAS.get(code, ()), "has_price": category is not None and code != "job_wanted",
        "has_area": code in ("house_sale", "house_rent", "shop_transfer"),
        "next_url": "?" + urlencode({**kept, "page": page.next_page_number()})
        if page.has_next() else "",
    })


def _detail_context(request, post: Post, **extra) -> dict:
    return {"post": post, "rows": display(post.category.code, post.fields),
            "reasons": ReportReason.choices,
            "is_author": request.user.is_authenticated and post.author_id == request.user.pk,
            **extra}


def detail_view(request, pk: int):
    post = selectors.visible_post(pk, request.user)
    if post is None:
        raise Http404("信息不存在或已下架")
    return render(request, "classifieds/detail.html", _detail_context(request, post))


@require_POST
def reveal_view(request, pk: int):
    post = selectors.visible_post(pk, request.user)
    if post is None:
        raise Http404("信息不存在或已下架")
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={reverse('classifieds:detail', args=[pk])}")
    try:
        phone = services.reveal_contact(user=request.user, post=post, ip=client_ip(request))
    except ServiceError as exc:
        return render(request, "classifieds/detail.html",
                      _detail_context(request, post, reveal_error=exc.message),
                      status=exc.status)
    return render(request, "classifieds/detail.html",
                  _detail_context(request, post, phone=phone))


@require_POST
@login_required
def report_view(request, pk: int):
    post = selectors.visible_post(pk, request.user)
    if post is None:
        raise Http404("信息不存在或已下架")
    try:
        services.report_post(user=request.user, post=post, reason=request.POST.get("reason", ""),
                             note=request.POST.get("note", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "举报已提交，我们会尽快核实处理")
    return redirect("classifieds:detail", pk)


def _form_values(request) -> tuple[dict, dict]:
    values = {name: request.POST.get(name, "") for name in POST_FIELDS}
    fields = {key[2:]: value for key, value in request.POST.items() if key.startswith("f_")}
    return values, fields


@login_required
def new_view(request):
    code = request.GET.get("category") or request.POST.get("category", "")
    category = Category.objects.filter(code=code).first()
    if category is None:
        return render(request, "classifieds/choose.html",
                      {"categories": selectors.open_categories()})
    context = {"category": category, "schema": SCHEMAS[category.code],
               "values": {"contact_name": request.user.name or "",
                          "contact_phone": request.user.phone or ""}, "fields": {}}
    if request.method == "POST":
        values, fields = _form_values(request)
        try:
            post = services.post_create(author=request.user, category=category, fields=fields,
                                        photos=request.FILES.getlist("photos"), **values)
        except ServiceError as exc:
            context.update(values=values, fields=fields, error=exc.message,
                           error_field=exc.field)
            return render(request, "classifieds/form.html", context, status=exc.status)
        if post.status == "published":
            messages.success(request, "发布成功")
        else:
            messages.success(request, "已提交，审核通过后展示")
        return redirect("classifieds:detail", post.pk)
    return render(request, "classifieds/form.html", context)


@login_required
def edit_view(request, pk: int):
    post = Post.objects.select_related("category").filter(pk=pk).first()
    if post is None:
        raise Http404("信息不存在")
    try:
        services.check_manager(request.user, post)
    except PermissionDeniedError:
        return render(request, "classifieds/forbidden.html", status=403)
    context = {"category": post.category, "schema": SCHEMAS[post.category.code], "post": post,
               "values": {name: getattr(post, name) for name in POST_FIELDS},
               "fields": post.fields}
    if request.method == "POST":
        values, fields = _form_values(request)
        remove = [int(pk) for pk in request.POST.getlist("remove_photo")
                  if pk.isascii() and pk.isdigit() and len(pk) < 19]
        try:
            # Text and photos change together or not at all.
            with transaction.atomic():
                services.post_update(actor=request.user, post=post, fields=fields, **values)
                services.post_photos(actor=request.user, post=post,
                                     add=request.FILES.getlist("photos"), remove=remove)
        except ServiceError as exc:
            context.update(values=values, fields=fields, error=exc.message,
                           error_field=exc.field)
            return render(request, "classifieds/form.html", context, status=exc.status)
        messages.success(request, "已保存")
        return redirect("classifieds:detail", post.pk)
    return render(request, "classifieds/form.html", context)


@login_required
def mine_view(request):
    return render(request, "classifieds/mine.html", {"posts": selectors.mine(request.user)})


@require_POST
@login_required
def mine_action_view(request, pk: int, action: str):
    post = Post.objects.select_related("category").filter(pk=pk).first()
    if post is None:
        raise Http404("信息不存在")
    try:
        if action == "close":
            services.post_close(actor=request.user, post=post)
            messages.success(request, f"已标记为{post.closed_label}")
        else:
            services.post_renew(actor=request.user, post=post)
            messages.success(request, "已续期")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("classifieds:mine")
