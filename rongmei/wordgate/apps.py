from django.apps import AppConfig


class WordgateConfig(AppConfig):
    name = "rongmei.wordgate"
    label = "wordgate"
    verbose_name = "敏感词与错别字"

    def ready(self):
        # Capabilities gate their public texts through rongmei.core.public_text.
        from rongmei.core.public_text import set_scanner

        from .services import scan
        set_scanner(scan)
