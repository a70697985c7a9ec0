"""A form field taking one or more evidence files, checked by content
(``files.prepare``): its cleaned value is the list of ``PreparedFile``."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .files import EvidenceRefused, prepare, too_large_message

ACCEPT = "image/jpeg,image/png,image/webp,image/gif,application/pdf,.xlsx,.docx"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Up to ``EVIDENCE_MAX_FILES`` files; each refused with its own message (its name
    and why). Files a ``SizeLimitHandler`` dropped while streaming are named by the form
    (``too_large``)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs["accept"] = ACCEPT

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploads:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > settings.EVIDENCE_MAX_FILES:
            raise forms.ValidationError(_("一次最多上传 %(n)d 个文件。") % {"n": settings.EVIDENCE_MAX_FILES})
        return [super(EvidenceField, self).clean(upload, initial) for upload in uploads]


class EvidenceFormMixin:
    """For a form with an ``EvidenceField`` named ``files_field`` and a check box
    ``keep_location``: prepares each file (after the check box is read) and reports files
    dropped while streaming (pass ``too_large=request.evidence_too_large``)."""

    files_field = "files"

    def __init__(self, *args, too_large=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = list(too_large)
        self.fields[self.files_field].widget.attrs.update(
            {"data-max-bytes": settings.EVIDENCE_MAX_BYTES, "data-too-large": too_large_message()}
        )

    def clean(self):
        data = super().clean()
        errors = [f"{name}：{too_large_message()}" for name in self.too_large]
        prepared = []
        for upload in data.get(self.files_field) or []:
            try:
                prepared.append(prepare(upload, keep_location=bool(data.get("keep_location"))))
            except EvidenceRefused as exc:
                errors.append(f"{upload.name}：{exc.message}")
        if errors:
            self.add_error(self.files_field, errors)
        else:
            data[self.files_field] = prepared
        return data


KEEP_LOCATION_LABEL = gettext_lazy("保留照片的拍摄位置（GPS）")
