from django.apps import AppConfig


class WordgateConfig(AppConfig):
    name = "rongmei.wordgate"
    label = "wordgate"
    verbose_name = "敏感词与错别字"
