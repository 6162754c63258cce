"""The console's document library form: a document is what its content says it is.

Wagtail checks a document's extension; this base form (``WAGTAILDOCS_DOCUMENT_FORM_BASE``)
also checks that the bytes are a PDF, an Office or WPS file, or plain text, as the extension
claims (``core.uploads.check_document``), so an HTML page renamed ``通知.pdf`` is refused
with a Chinese message on the form, on single and multiple upload alike.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from wagtail.documents.forms import BaseDocumentForm

from .errors import ServiceError
from .uploads import check_document


class DocumentForm(BaseDocumentForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            try:
                check_document(upload)
            except ServiceError as exc:
                raise ValidationError(exc.message, code=exc.code) from None
        return upload

    def _update_errors(self, errors):
        # The model's own extension check would add a second, vaguer message to a file this
        # form already refused: one clear message per field.
        if "file" in self._errors and hasattr(errors, "error_dict"):
            errors.error_dict.pop("file", None)
            if not errors.error_dict:
                return
        super()._update_errors(errors)
