"""The story editor's form: the sensitive-word gate runs when an editor submits or publishes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import StreamValue, StructValue
from wagtail.rich_text import RichText

from rongmei.core.text import plain_text

GATED_ACTIONS = ("action-submit", "action-publish")


def _texts(value) -> list[str]:
    if value is None or isinstance(value, (bool, int, float)):
        return []
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


class StoryPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        if not any(action in self.data for action in GATED_ACTIONS):
            return cleaned  # drafts save whatever they hold
        from .gate import report

        fields = {}
        for name, value in cleaned.items():
            label = self.fields[name].label if name in self.fields else name
            text = "\n".join(_texts(value))
            if text:
                fields[str(label)] = text
        found = report(fields, blocked_only=True)
        if found:
            raise ValidationError(f"稿件含有禁用词，不能提交或发布（草稿可以保存）：{found}")
        return cleaned
