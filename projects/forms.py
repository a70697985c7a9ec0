"""Forms of the key-project pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from targets import clock

from .services import PROGRESS_MAX


class ProgressNoteForm(forms.Form):
    """A dated 形象进度 of a key project (``services.add_progress_note`` checks it again)."""

    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    text = forms.CharField(
        label=_("形象进度"),
        max_length=PROGRESS_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("如：主体结构施工至15层，机电安装完成30%")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = clock.today()
        self.fields["date"].initial = today
        self.fields["date"].widget.attrs["max"] = today.isoformat()

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > clock.today():
            raise forms.ValidationError(
                _("日期不能晚于今天（%(today)s）。") % {"today": clock.today().isoformat()}
            )
        return day
