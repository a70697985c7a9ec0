"""Group robots in the admin (managers): the secret is written, never shown back whole."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import WebhookTarget


class WebhookTargetForm(forms.ModelForm):
    url = forms.URLField(label=_("Webhook 地址"), max_length=500, assume_scheme="https")
    secret = forms.CharField(
        label=_("加签密钥"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("钉钉机器人“加签”的密钥（SEC 开头）；企业微信留空。修改时留空则保留原密钥。"),
    )
    clear_secret = forms.BooleanField(label=_("清除密钥"), required=False)

    class Meta:
        model = WebhookTarget
        fields = ["name", "kind", "url", "secret", "clear_secret", "department", "role", "is_active"]

    def clean(self):
        data = super().clean()
        if not data.get("department") and not data.get("role"):
            raise forms.ValidationError(_("请选择单位或角色（至少一项）。"))
        return data

    def save(self, commit=True):
        target = super().save(commit=False)
        new_secret = self.cleaned_data.get("secret", "")
        if self.cleaned_data.get("clear_secret"):
            target.secret = ""
        elif not new_secret and self.instance.pk:
            target.secret = WebhookTarget.objects.get(pk=self.instance.pk).secret
        if commit:
            target.save()
        return target


@admin.register(WebhookTarget)
class WebhookTargetAdmin(admin.ModelAdmin):
    form = WebhookTargetForm
    list_display = ("name", "kind", "department", "role", "is_active", "secret_shown")
    list_filter = ("kind", "is_active", "role")
    search_fields = ("name",)

    @admin.display(description=_("加签密钥"))
    def secret_shown(self, obj):
        return obj.masked_secret or "—"

    def has_delete_permission(self, request, obj=None):
        return False  # switched off with 启用, not deleted: its delivery records stay
