"""The console's service form: the address must fit how the service opens."""

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from .models import OpenMode, Service
from .services import check_url


class ServiceForm(WagtailAdminModelForm):
    class Meta:
        model = Service
        fields = ["name", "kind", "category", "unit", "icon", "open_mode", "url",
                  "miniprogram_appid", "miniprogram_path", "tags", "requires_login", "summary",
                  "materials", "steps", "fees", "hours", "place", "phone", "order", "is_active"]

    def clean(self):
        cleaned = super().clean()
        mode, url = cleaned.get("open_mode"), (cleaned.get("url") or "").strip()
        if mode:
            complaint = check_url(mode, url)
            if complaint:
                self.add_error("url", ValidationError(complaint))
            if mode == OpenMode.MINIPROGRAM and not cleaned.get("miniprogram_appid"):
                self.add_error("miniprogram_appid", "微信小程序须填写小程序AppID")
        cleaned["url"] = url
        return cleaned
