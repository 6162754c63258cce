"""``rongmei demo``: migrate, seed the demo county, print the logins and serve it."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from rongmei.core.modules import app_submodules


class Command(BaseCommand):
    help = "Set up and serve the demo county at http://127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="set up only")

    def handle(self, *args, port, no_serve, **options):
        if not os.environ.get("BASE_URL"):
            # Feeds, ninjs, Open311 and notifications link to BASE_URL: with none set, the
            # address the demo is served at (its port included), so those links open.
            settings.WAGTAILADMIN_BASE_URL = os.environ["BASE_URL"] = f"http://127.0.0.1:{port}"
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo")
        self.stdout.write("")
        demos = [module for module in app_submodules("demo") if hasattr(module, "logins")]
        passwords = {module.STAFF_PASSWORD for module in demos if hasattr(module, "STAFF_PASSWORD")}
        self.stdout.write(self.style.MIGRATE_HEADING(
            "演示账号（工作人员密码均为 %s）：" % "、".join(sorted(passwords))))
        for module in demos:
            for role_name, name, phone, console in module.logins():
                where = "管理后台 /admin/" if console else "居民端（短信验证码登录）"
                self.stdout.write(f"  {role_name:<10}{name:<6}{phone}  {where}")
        self.stdout.write("  居民：任意手机号（如 15200000001）在 /login/ 获取验证码；"
                          "演示环境不真正发短信，验证码直接显示在登录页。")
        self.stdout.write("")
        self.stdout.write(f"居民端：http://127.0.0.1:{port}/    管理后台：http://127.0.0.1:{port}/admin/")
        if not no_serve:
            call_command("serve", port=port, host="127.0.0.1",
                         workers=2 if settings.DEBUG else None)
