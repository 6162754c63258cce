"""Staff console screens of the 音视频库: list with status and progress, upload, detail with
the player, retry. For staff with media rights; a unit admin sees their units' assets only.
Writes go through ``services``, which check the role (and unit) again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from rongmei.core.errors import NotFoundError, PermissionDeniedError, ServiceError

from . import selectors, services
from .forms import MediaUploadForm
from .models import MediaKind, MediaStatus


class MediaStaffRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_use_media(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class MediaScreen(MediaStaffRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "media"

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if self.page_title != MediaLibraryView.page_title:
            items.append({"url": reverse("av:index"), "label": MediaLibraryView.page_title})
        return items + [{"url": "", "label": self.get_page_title()}]


class MediaLibraryView(MediaScreen):
    template_name = "media/admin/index.html"
    page_title = "音视频库"

    def get_context_data(self, **kwargs):
        kind = self.request.GET.get("kind", "")
        status = self.request.GET.get("status", "")
        kind = kind if kind in MediaKind.values else ""
        status = status if status in MediaStatus.values else ""
        query = self.request.GET.get("q", "").strip()[:60]
        assets = selectors.assets_for_console(user=self.request.user, kind=kind or None,
                                              status=status or None, query=query)
        context = super().get_context_data(**kwargs)
        context.update({"kind": kind, "status": status, "q": query,
                        "kinds": MediaKind.choices, "statuses": MediaStatus.choices,
                        "page": Paginator(assets, 30).get_page(self.request.GET.get("p"))})
        return context


class MediaUploadView(MediaScreen):
    template_name = "media/admin/upload.html"
    page_title = "上传音视频"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or MediaUploadForm(
            user=self.request.user, initial={"kind": self.request.GET.get("kind", "video")})
        return context

    def post(self, request, *args, **kwargs):
        form = MediaUploadForm(request.POST, request.FILES, user=request.user)
        asset = form.save() if form.is_valid() else None
        if asset is None:
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(request, f"“{asset.title}”已上传，正在排队转码")
        return redirect("av:detail", pk=asset.pk)


class MediaDetailView(MediaScreen):
    template_name = "media/admin/detail.html"
    page_title = "音视频详情"

    def get_asset(self):
        try:
            return selectors.access_asset(self.request.user, self.kwargs["pk"])
        except NotFoundError:
            raise Http404 from None
        except PermissionDeniedError:
            raise PermissionDenied from None

    def get_page_subtitle(self):
        return self.asset.title

    def get(self, request, *args, **kwargs):
        self.asset = self.get_asset()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["asset"] = self.asset
        context["can_retry"] = self.asset.status == MediaStatus.FAILED
        return context

    def post(self, request, *args, **kwargs):
        self.asset = self.get_asset()
        action = request.POST.get("action")
        try:
            if action == "retry":
                services.media_retry(actor=request.user, asset_id=self.asset.pk)
                messages.success(request, "已重新加入转码队列")
            elif action == "rename":
                services.media_rename(actor=request.user, asset_id=self.asset.pk,
                                      title=request.POST.get("title", ""))
                messages.success(request, "标题已保存")
            else:
                messages.error(request, "请求无效")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("av:detail", pk=self.asset.pk)
