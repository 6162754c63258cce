from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "rongmei.directory"
    label = "directory"
    verbose_name = "服务+"
    # The 服务 tab shows the directory (search, categories, 最近使用, 我的常用) as a block.
    layout_blocks = {"service_directory": "rongmei.directory.blocks.ServiceDirectoryBlock"}

    def ready(self):
        from . import signals  # noqa: F401 - erasure on account deletion
