"""The story editor's form: the sensitive-word gate runs when an editor submits or publishes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import StreamValue, StructValue
from wagtail.rich_text import RichText

from rongmei.core.text import plain_text, strip_controls

GATED_ACTIONS = ("action-submit", "action-publish", "action-restart-workflow")


def _texts(value) -> list[str]:
    if value is None or isinstance(value, (bool, int, float)):
        return []
    from wagtail.images.models import AbstractImage
    if isinstance(value, AbstractImage):  # its title is the alt text readers get
        return [value.title]
    if isinstance(value, RichText):
        return [plain_text(value.source)]
    if isinstance(value, str):
        return [plain_text(value) if "<" in value else value]
    if isinstance(value, StreamValue):
        texts = []
        for block in value:
            texts.extend(_texts(block.value))
        return texts
    if isinstance(value, (StructValue, dict)):
        texts = []
        for item in value.values():
            texts.extend(_texts(item))
        return texts
    if isinstance(value, (list, tuple)):
        texts = []
        for item in value:
            texts.extend(_texts(item))
        return texts
    return []


class GatedPageForm(WagtailAdminPageForm):
    """Any public page's form (stories, 专题, sections): the word gate on submit/publish."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():  # no control or bidi-override characters, ever
            if isinstance(value, str):
                cleaned[name] = strip_controls(value)
        if not any(action in self.data for action in GATED_ACTIONS):
            return cleaned  # drafts save whatever they hold
        from .gate import report

        fields = {}
        for name, value in cleaned.items():
            if name == "urgent_reason":
                continue
            label = self.fields[name].label if name in self.fields else name
            text = "\n".join(_texts(value))
            if text:
                fields[str(label)] = text
        found = report(fields, blocked_only=True)
        if found:
            raise ValidationError(f"稿件含有禁用词，不能提交或发布（草稿可以保存）：{found}")
        return cleaned

    def is_valid(self):
        """The inline parts too (outlet versions with their topics, gallery captions)."""
        valid = super().is_valid()
        if not valid or not any(action in self.data for action in GATED_ACTIONS):
            return valid
        from .gate import report

        fields = {}
        for formset in getattr(self, "formsets", {}).values():
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None) or {}
                if data.get("DELETE"):
                    continue
                for key, value in data.items():
                    text = "\n".join(_texts(value))
                    if text and key not in ("DELETE", "ORDER", "id"):
                        label = form.fields[key].label if key in form.fields else key
                        fields[str(label)] = "\n".join(filter(None, [fields.get(str(label)),
                                                                      text]))
        found = report(fields, blocked_only=True)
        if found:
            self.add_error(None, f"稿件含有禁用词，不能提交或发布（草稿可以保存）：{found}")
            return False
        return True


class ReviewedPageForm(GatedPageForm):
    """Stories and 专题. Only a 总编辑 sees a 发布 button; publishing from the editor skips
    (the rest of) 三审, so it is a 紧急发布 and needs a reason (rongmei/news/review.py)."""

    urgent_reason = forms.CharField(
        label="紧急发布理由", max_length=200, required=False,
        help_text="仅总编辑跳过三审直接发布时填写，将记入稿件历史和审核记录，其他审核人可见")

    def clean(self):
        cleaned = super().clean()
        if "action-publish" in self.data:
            from .review import urgent_refusal
            refusal = urgent_refusal(self.instance, self.for_user, cleaned.get("urgent_reason"))
            if refusal:
                self.add_error("urgent_reason", refusal)
        return cleaned
