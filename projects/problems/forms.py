"""The raise form and the move form of the problem pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import KeyProject, Problem, SafetyCampaign
from targets import roles
from targets.evidence.forms import KEEP_LOCATION_LABEL, EvidenceField, EvidenceFormMixin
from targets.models import Department, Indicator


class RaiseForm(EvidenceFormMixin, forms.Form):
    """A new problem. A clerk raises for their own unit only (the unit select offers it
    alone); the subject comes prefilled from the page the form was opened from."""

    title = forms.CharField(label=_("问题"), max_length=300)
    description = forms.CharField(label=_("详情"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    department = forms.ModelChoiceField(label=_("责任单位"), queryset=Department.objects.all())
    severity = forms.ChoiceField(label=_("严重程度"), choices=Problem.Severity.choices)
    due_date = forms.DateField(label=_("整改时限"), widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.CharField(label=_("责任人"), max_length=100, required=False)
    key_project = forms.ModelChoiceField(
        label=_("重点项目"), queryset=KeyProject.objects.all(), required=False
    )
    indicator = forms.ModelChoiceField(label=_("指标"), queryset=Indicator.objects.all(), required=False)
    campaign = forms.ModelChoiceField(
        label=_("安全专项行动"), queryset=SafetyCampaign.objects.all(), required=False
    )
    keep_location = forms.BooleanField(label=KEEP_LOCATION_LABEL, required=False)
    photos = EvidenceField(label=_("问题照片或文件"))
    files_field = "photos"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not roles.is_manager(user):
            own = roles.user_department(user)
            self.fields["department"].queryset = Department.objects.filter(pk=own.pk if own else None)
            self.fields["department"].empty_label = None

    def clean(self):
        data = super().clean()
        if not (data.get("key_project") or data.get("indicator") or data.get("campaign")):
            raise forms.ValidationError(_("请选择问题所属的项目、指标或专项行动。"))
        return data

    def problem_fields(self) -> dict:
        """What ``services.raise_problem`` takes (the check box was used by ``prepare``)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "keep_location"}


class EvidenceForm(EvidenceFormMixin, forms.Form):
    """Files only (a milestone's 节点证明)."""

    keep_location = forms.BooleanField(label=KEEP_LOCATION_LABEL, required=False)
    files = EvidenceField(label=_("照片或文件"), required=True)


class MoveForm(EvidenceFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    keep_location = forms.BooleanField(label=KEEP_LOCATION_LABEL, required=False)
    files = EvidenceField(label=_("整改证明（照片或文件）"))
    without_evidence = forms.BooleanField(label=_("无证明材料（请在说明中写明原因）"), required=False)
