"""``rongmei push_keys``: print a new VAPID key pair for ``VAPID_PRIVATE_KEY``.

Nothing is stored: put the private key in the environment file, keep it secret, and never
change it casually — every browser's subscription is bound to the public key.
"""

from django.core.management.base import BaseCommand

from rongmei.push.keys import (
    generate_private_key,
    private_pem,
    private_raw_b64url,
    public_key_b64url,
)


class Command(BaseCommand):
    help = "Print a new VAPID key pair (private key for VAPID_PRIVATE_KEY, public key for browsers)."

    def add_arguments(self, parser):
        parser.add_argument("--pem", action="store_true",
                            help="print the private key as PEM instead of base64url raw")

    def handle(self, *args, **options):
        key = generate_private_key()
        if options["pem"]:
            private = private_pem(key).strip().replace("\n", "\\n")
        else:
            private = private_raw_b64url(key)
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}\n")
        self.stdout.write(f"# public key (applicationServerKey, served at "
                          f"/api/v1/push/vapid-public-key): {public_key_b64url(key)}\n")
