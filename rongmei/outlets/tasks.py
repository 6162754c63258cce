from django_tasks import task


@task()
def transmit_delivery(delivery_id: int) -> None:
    """Send one delivery right after the publish that created it committed."""
    from .delivery import send

    send(delivery_id)
