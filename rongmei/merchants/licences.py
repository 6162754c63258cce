"""Business licence photos are private: operators may look, and every look is logged.

The files live under ``private/merchant-licences/`` in the default storage with random
names. They are never given a public URL: the console streams them through
``licence_open`` and nginx must refuse ``/media/private/`` (see deploy/nginx.conf).
"""

from __future__ import annotations

from rongmei.core.errors import NotFoundError
from rongmei.core.roles import OPERATOR
from rongmei.units.access import check_role

from .models import Merchant


def licence_open(*, viewer, merchant: Merchant):
    """Open ``merchant``'s licence photo for ``viewer`` (an operator), logging the access."""
    from rongmei.accounts.models import PersonalDataAccess

    check_role(viewer, OPERATOR, message="只有运营人员可以查看营业执照")
    if not merchant.licence_photo:
        raise NotFoundError("该商户没有营业执照照片")
    try:
        handle = merchant.licence_photo.storage.open(merchant.licence_photo.name, "rb")
    except FileNotFoundError:
        raise NotFoundError("营业执照照片文件不存在") from None
    PersonalDataAccess.objects.create(viewer=viewer, subject=merchant.applicant, what="营业执照",
                                      reason=f"查看商户“{merchant.name}”的入驻材料"[:120])
    return handle
