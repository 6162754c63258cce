"""Every text field a model declares is either in the public-text registry (and so passes
the word gate) or exempted with a reason: a new public field cannot slip past unseen."""

import pytest
from django.apps import apps
from django.db import models
from wagtail.fields import StreamField

from rongmei.core.public_text import NOT_PUBLIC, PUBLIC_TEXT, exemption, registered


def _is_text(field) -> bool:
    if field.__class__.__name__ in ("ClusterTaggableManager", "TaggableManager"):
        return True
    if isinstance(field, (models.URLField, models.SlugField, models.EmailField)):
        return False
    if getattr(field, "choices", None):
        return False
    return isinstance(field, (models.CharField, models.TextField, StreamField))


def _declared_text_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("rongmei."):
            continue
        for field in model._meta.get_fields():
            if getattr(field, "model", None) is model and not field.auto_created and _is_text(field):
                yield model._meta.label, field.name


def test_every_text_field_is_registered_or_exempted_with_a_reason():
    unaccounted = [f"{label}.{name}" for label, name in _declared_text_fields()
                   if not registered(label, name) and not exemption(label, name)]
    assert not unaccounted, ("public or not? add to rongmei/core/public_text.py: "
                             + ", ".join(unaccounted))


def test_the_registry_names_only_fields_that_exist():
    for registry in (PUBLIC_TEXT, NOT_PUBLIC):
        for label, fields in registry.items():
            model = apps.get_model(label)
            for name in fields:
                if name != "*":
                    model._meta.get_field(name)  # raises when the field is gone


def test_a_field_is_not_both_public_and_exempt():
    both = [f"{label}.{name}" for label, fields in PUBLIC_TEXT.items() for name in fields
            if name in NOT_PUBLIC.get(label, {})]
    assert not both


@pytest.mark.django_db
def test_a_channel_name_edited_in_the_console_passes_the_word_gate(client, make_user):
    """GatedPublicText: a generic console form (here the 栏目 snippet) gates the model's
    registered public fields."""
    from rongmei.news.models import Channel
    from rongmei.wordgate.dictionary import PROCESS_CACHE
    from rongmei.wordgate.services import word_create

    PROCESS_CACHE.reset()
    word_create(actor=make_user("operator"), word="网络赌博", level="block", kind="sensitive")
    admin = make_user("administrator")
    admin.is_superuser = True  # 栏目 are the superuser's (no role holds the permission)
    admin.save(update_fields=["is_superuser"])
    client.force_login(admin)
    response = client.post("/admin/snippets/news/channel/add/",
                           {"name": "网络赌博", "slug": "wlb", "sort_order": 1,
                            "is_active": "on", "description": ""})
    assert response.status_code == 200
    assert "含有禁用词" in response.content.decode()
    assert not Channel.objects.filter(slug="wlb").exists()
    response = client.post("/admin/snippets/news/channel/add/",
                           {"name": "乡村振兴", "slug": "xczx", "sort_order": 1,
                            "is_active": "on", "description": "网络\u200b赌博"})
    assert "含有禁用词" in response.content.decode()
    assert not Channel.objects.filter(slug="xczx").exists()
    PROCESS_CACHE.reset()

