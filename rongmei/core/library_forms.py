"""The console's image and document library forms.

Documents (``WAGTAILDOCS_DOCUMENT_FORM_BASE``): Wagtail checks a document's extension; this
form also checks that the bytes are a PDF, an Office or WPS file, or plain text, as the
extension claims (``core.uploads.check_document``), so an HTML page renamed ``通知.pdf`` is
refused with a Chinese message, on single and multiple upload alike.

Images (``WAGTAILIMAGES_IMAGE_FORM_BASE``): an image's title is the alt text of every story
that shows it without a caption, so renaming a library image publishes text at once: the
title and description pass the word gate here (adversarial review: a 记者 renamed an image
of a live story to a blocked word).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from .errors import ServiceError
from .public_text import scan
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


class ImageForm(BaseImageForm):
    def clean(self):
        cleaned = super().clean()
        for name in ("title", "description"):
            verdict = scan(cleaned.get(name) or "")
            if verdict is not None and verdict.blocked:
                self.add_error(name, f"含有禁用词，不能使用：{verdict.message}")
        return cleaned
