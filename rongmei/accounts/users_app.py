"""Replaces ``wagtail.users`` in INSTALLED_APPS so the console manages phone-number accounts.

Kept import-light: INSTALLED_APPS loads this module before the app registry is ready.
"""

from wagtail.users.apps import WagtailUsersAppConfig


class RongmeiUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "rongmei.accounts.wagtail_users.StaffUserViewSet"
