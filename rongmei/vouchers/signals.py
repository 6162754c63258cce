"""Cache invalidation only: a saved round or campaign drops this process's cached round
facts and sold-out marks (other processes refresh theirs within a few seconds)."""

from django.db.models.signals import post_delete, post_save

from rongmei.accounts.signals import account_deleted

from .models import VoucherCampaign, VoucherRound


def _forget_round_facts(**kwargs):
    from .services.claims import _round_facts, _sold_out_until

    _round_facts.clear()
    _sold_out_until.clear()


for _model in (VoucherRound, VoucherCampaign):
    post_save.connect(_forget_round_facts, sender=_model,
                      dispatch_uid=f"vouchers-round-facts-save-{_model.__name__}")
    post_delete.connect(_forget_round_facts, sender=_model,
                        dispatch_uid=f"vouchers-round-facts-delete-{_model.__name__}")


def _erase_claim_traces(sender, user, **kwargs):
    """注销: the address and device a person grabbed from are personal data."""
    from .models import Voucher

    Voucher.objects.filter(user=user).update(claim_ip=None, claim_device="")


account_deleted.connect(_erase_claim_traces, dispatch_uid="vouchers-erase-claim-traces")
