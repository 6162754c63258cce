"""The staff console's user screens, adapted to phone-number accounts."""

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.utils.functional import cached_property
from wagtail.users.views.users import DeleteView, IndexView, UserViewSet

from .forms import StaffUserCreationForm, StaffUserEditForm


class StaffUserIndexView(IndexView):
    @cached_property
    def search_fields(self):
        return ["phone", "name", "nickname"]


# Accounts that points, orders, cases … point at are kept (注销 anonymises them instead).
KEEPS_RECORDS = ("该账号已有积分、订单、问政等记录，不能删除。请改为停用（取消勾选“有效”）；"
                 "居民本人可在“我的 → 设置”中注销账号，个人信息会被清除。")


class StaffUserDeleteView(DeleteView):
    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(self.request, KEEPS_RECORDS)
            return redirect("wagtailusers_users:edit", self.object.pk)


class StaffUserViewSet(UserViewSet):
    index_view_class = StaffUserIndexView
    delete_view_class = StaffUserDeleteView

    def get_form_class(self, for_update=False):
        return StaffUserEditForm if for_update else StaffUserCreationForm
