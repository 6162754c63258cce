import sys

from django.core.management.base import BaseCommand

from rongmei.wordgate.services import scan


class Command(BaseCommand):
    help = ("Scan text (arguments, or standard input) with the current dictionary and print "
            "the verdict; exits 1 when the text would be blocked. For operators' scripts and "
            "checking a dictionary change from a shell.")

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="*", help="text to scan (default: standard input)")

    def handle(self, *args, **options):
        text = " ".join(options["text"]) if options["text"] else sys.stdin.read()
        verdict = scan(text)
        for hit in verdict.hits:
            self.stdout.write(f"{hit.start}-{hit.end}\t{hit.level}\t{hit.kind}\t{hit.word}"
                              + (f"\t=> {hit.suggestion}" if hit.suggestion else ""))
        self.stdout.write(verdict.message or "未发现敏感词或常见错别字")
        if verdict.blocked:
            sys.exit(1)
