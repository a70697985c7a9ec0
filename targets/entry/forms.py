"""Forms of the weekly entry pages. The week grid itself is plain inputs named per
cell (validated by ``services.record_entries``), not a Django form."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("填报表（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=1000)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class UnlockForm(forms.Form):
    reason = forms.CharField(label=_("解锁原因"), max_length=1000)
