from django.core.management.base import BaseCommand

from rongmei.wordgate.services import install_default_dictionary


class Command(BaseCommand):
    help = ("Add the default sensitive-word and typo entries that are missing from the "
            "dictionary; entries operators changed or switched off are left alone.")

    def handle(self, *args, **options):
        added = install_default_dictionary()
        self.stdout.write(f"默认词库已检查：补充 {added} 条")
