import logging

from rongmei.core.masking import mask_phone

from . import SmsProvider, SmsResult, render

logger = logging.getLogger("rongmei.sms")


class OutboxProvider(SmsProvider):
    """Keeps the message in the database (``SmsMessage.body``) instead of sending it."""

    name = "outbox"
    stores_body = True

    def send(self, *, phone, template, params):
        logger.info("SMS to %s: %s", mask_phone(phone), render(template, params))
        return SmsResult(provider_message_id="")
