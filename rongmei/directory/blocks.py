"""The 服务+ layout block for the 服务 tab: search and the categories, from the directory."""

from wagtail import blocks


class ServiceDirectoryBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=20, label="模块标题", default="服务+")
    kind = blocks.ChoiceBlock(choices=[("", "全部"), ("government", "政务服务"),
                                       ("livelihood", "民生服务")],
                              required=False, label="类型")

    class Meta:
        template = "directory/blocks/service_directory.html"
        icon = "link"
        label = "服务+目录（自动）"

    def get_context(self, value, parent_context=None):
        from django.db.models import Count, Q

        from .models import Service, ServiceCategory

        context = super().get_context(value, parent_context)
        categories = ServiceCategory.objects.annotate(
            live=Count("services", filter=Q(services__is_active=True))).filter(live__gt=0)
        services = Service.objects.filter(is_active=True)
        if value.get("kind"):
            categories = categories.filter(kind=value["kind"])
            services = services.filter(kind=value["kind"])
        context["categories"] = [(c, c.live) for c in categories]
        context["total"] = services.count()
        return context
