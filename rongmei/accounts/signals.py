"""Signals other apps listen to, so accounts need not know them (decoupled apps)."""

from django.dispatch import Signal

# Sent inside the deletion's transaction with ``user``: every app that keeps personal data
# about the person (delivery addresses, claim addresses) erases it then, atomically.
account_deleted = Signal()
