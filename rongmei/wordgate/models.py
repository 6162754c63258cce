"""The dictionaries of the sensitive-word and typo gate (敏感词库 / 错别字库).

One table holds both kinds. An entry is unique by its normalised form (``normalize_word``:
half-width, case-folded, without spaces or punctuation), so "ＡＢＣ 赌博" and "abc赌博" are
the same entry. The database holds the rules that cannot depend on code: a typo carries its
right form, a sensitive word does not.

``DictionaryVersion`` is a single row whose token changes in the same transaction as any
entry; processes compare it (through the cache) with the token their automaton was built
from (``dictionary.py``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Level(models.TextChoices):
    BLOCK = "block", "禁用（阻止发布）"
    REVIEW = "review", "提醒（需人工核对）"


class Kind(models.TextChoices):
    SENSITIVE = "sensitive", "敏感词"
    TYPO = "typo", "错别字"


class WordEntry(models.Model):
    word = models.CharField("词语", max_length=64)
    normalized = models.CharField("规范形式", max_length=64, unique=True, editable=False,
                                  help_text="去掉空格标点、统一全半角和大小写后的形式，用于匹配和查重")
    level = models.CharField("级别", max_length=10, choices=Level.choices, default=Level.BLOCK,
                             db_index=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.SENSITIVE,
                            db_index=True)
    suggestion = models.CharField("建议写法", max_length=64, blank=True,
                                  help_text="错别字的正确写法；敏感词留空")
    note = models.CharField("备注", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="创建人")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("修改时间", default=timezone.now)

    class Meta:
        verbose_name = "词条"
        verbose_name_plural = "敏感词库"
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=["block", "review"]),
                                   name="wordgate_entry_level_valid"),
            models.CheckConstraint(
                condition=(Q(kind="typo") & ~Q(suggestion=""))
                | (Q(kind="sensitive") & Q(suggestion="")),
                name="wordgate_entry_typo_has_suggestion"),
            models.CheckConstraint(condition=~Q(normalized=""),
                                   name="wordgate_entry_normalized_not_empty"),
        ]

    def __str__(self):
        return f"{self.word}=>{self.suggestion}" if self.suggestion else self.word


class DictionaryVersion(models.Model):
    """One row (pk=1): a token replaced on every dictionary change."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "词库版本"
        verbose_name_plural = "词库版本"

    def __str__(self):
        return self.token
