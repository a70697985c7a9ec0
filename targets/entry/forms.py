"""Forms of the weekly entry pages. The week grid itself is plain inputs named per
cell (validated by ``services.record_entries``), not a Django form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from targets.services import COMMENT_MAX


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("填报表（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class MoveForm(forms.Form):
    """What a manager posts with a move of a week: a comment (or reason) and the
    ``Submission.version`` the page showed. Whether the comment may be empty is the
    move's rule (``services.MOVES``); the form checks its length and the version."""

    comment_field = "comment"
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def move_comment(self) -> str:
        return self.cleaned_data.get(self.comment_field) or ""


class ReviewForm(MoveForm):
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=COMMENT_MAX)


class UnlockForm(MoveForm):
    comment_field = "reason"
    reason = forms.CharField(label=_("解锁原因"), required=False, max_length=COMMENT_MAX)
