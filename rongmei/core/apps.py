from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _ensure_roles(sender, using="default", **kwargs):
    """After ``migrate``: create every app's permissions (normally done app by app, later in
    the same signal), then the role groups that are granted them."""
    from django.contrib.auth.management import create_permissions

    from .roles import ensure_roles

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    ensure_roles()


class CoreConfig(AppConfig):
    name = "rongmei.core"
    label = "core"
    verbose_name = "平台基础"

    def ready(self):
        from django.db.models.signals import pre_save
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model

        from . import checks  # noqa: F401  (registers deploy checks)
        from .uploads import clean_new_wagtail_image, rename_new_library_file

        pre_save.connect(clean_new_wagtail_image, sender=get_image_model(),
                         dispatch_uid="rongmei-clean-wagtail-image")
        for model in (get_image_model(), get_document_model()):
            pre_save.connect(rename_new_library_file, sender=model,
                             dispatch_uid=f"rongmei-rename-{model._meta.label_lower}")

        # Sent once per migrate for an app with models (core has none); the handler creates
        # every app's permissions itself, so which app sends it does not matter.
        post_migrate.connect(_ensure_roles, sender=apps.get_app_config("accounts"),
                             dispatch_uid="rongmei-ensure-roles")
