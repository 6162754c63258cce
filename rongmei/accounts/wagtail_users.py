"""The staff console's user screens, adapted to phone-number accounts."""

from django.utils.functional import cached_property
from wagtail.users.views.users import IndexView, UserViewSet

from .forms import StaffUserCreationForm, StaffUserEditForm


class StaffUserIndexView(IndexView):
    @cached_property
    def search_fields(self):
        return ["phone", "name", "nickname"]


class StaffUserViewSet(UserViewSet):
    index_view_class = StaffUserIndexView

    def get_form_class(self, for_update=False):
        return StaffUserEditForm if for_update else StaffUserCreationForm
