from django.conf import settings
from django.core.checks import Warning, register


@register()
def sms_templates_configured(app_configs, **kwargs):
    """With Tencent Cloud SMS every notice kind that sends SMS needs an approved template ID;
    without one its messages fail (visible in 通知发送记录), so say so before they do."""
    from . import kinds

    if settings.SMS_PROVIDER != "tencent":
        return []
    missing = [k.code for k in kinds.all_kinds()
               if k.sms_text and not kinds.tencent_template_id(k.code)]
    if not missing:
        return []
    return [Warning(
        "These notice kinds send SMS but have no Tencent template ID: " + ", ".join(missing),
        hint="Add them to SMS_TENCENT_TEMPLATES, e.g. "
             + ",".join(f"{code}=<模板ID>" for code in missing[:2]) + " (see README).",
        id="notices.W001")]
