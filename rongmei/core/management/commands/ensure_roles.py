from django.core.management.base import BaseCommand

from rongmei.core.roles import ROLES, ensure_roles


class Command(BaseCommand):
    help = "Create the staff role groups and grant their permissions (idempotent)."

    def handle(self, *args, **options):
        created = ensure_roles()
        self.stdout.write(f"角色共 {len(ROLES)} 个，新建 {len(created)} 个：{'、'.join(created) or '无'}")
