"""What every endpoint of the REST API shares: who may call it, the one JSON error shape,
pagination, token throttling and the schema's documented error responses.

Error shape (every 4xx the API answers, documented in the schema as ``Error``)::

    {"error": {"code": "invalid", "message": "…", "fields": {"value": ["…"]}, "entry": null}}

``code`` is stable and machine-readable (``invalid``, ``parse_error``, ``not_authenticated``,
``authentication_failed``, ``permission_denied``, ``not_found``, ``method_not_allowed``,
``not_acceptable``, ``unsupported_media_type``, ``too_large``, ``throttled``, ``locked``, ``conflict``,
``confirm``); ``message`` is for people (Chinese first); ``fields`` maps a request field to
its messages; ``entry`` is the stored entry a write collided with (409 ``conflict``).
"""

from django.core.exceptions import BadRequest, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, permissions, serializers
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from targets import roles
from targets.api.policies import Pagination, PayloadTooLarge

# Row ids in paths and parameters: 1 to 18 digits, so no value overflows a BIGINT column.
ID_REGEX = "[0-9]{1,18}"
MAX_ID = 10**18 - 1


class ApiError(exceptions.APIException):
    """An error with its own code and optional per-field messages and colliding entry."""

    def __init__(self, status_code: int, code: str, message: str, fields=None, entry=None):
        self.status_code = status_code
        self.code = code
        self.message = str(message)
        self.fields = fields or {}
        self.entry = entry
        super().__init__(detail=self.message, code=code)


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field": [messages]} (nested fields as "a.0.b")."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [str(detail)]
    return out


def error_body(code: str, message: str, fields=None, entry=None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}, "entry": entry}}


def exception_handler(exc, context):
    """DRF's handler, then every error rewritten into the one shape."""
    if isinstance(exc, RequestDataTooBig):  # a form body past DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = PayloadTooLarge()
    elif isinstance(exc, BadRequest):
        exc = ApiError(400, "invalid", str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected exception: Django's 500 handling and logging
    if isinstance(exc, ApiError):
        response.data = error_body(exc.code, exc.message, exc.fields, exc.entry)
        return response
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = error_body("invalid", _("请求数据有误，请按字段说明修改。"), fields)
        return response
    detail = getattr(exc, "detail", "")
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    response.data = error_body(code, detail if isinstance(detail, str) else str(detail))
    return response


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("机器可读的错误代码，如 invalid、conflict、locked。"))
    message = serializers.CharField(help_text=_("给人看的说明（中文）。"))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("请求字段 → 错误信息列表；没有字段错误时为空对象。"),
    )
    entry = serializers.DictField(
        allow_null=True,
        help_text=_("409 conflict 时：与请求冲突的已存储数据（id、indicator、date、value、note、version）。"),
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    "400": _("请求数据有误（code: invalid / parse_error），fields 给出每个字段的错误。"),
    "401": _("未登录或令牌无效（code: not_authenticated / authentication_failed）。"),
    "403": _("无权访问（code: permission_denied）：无角色，或不是本单位的指标。"),
    "404": _("对象不存在或页码超出范围（code: not_found）。"),
    "409": _("冲突：已存在或版本不一致（conflict），该周已锁定（locked），或异常值需确认（confirm）。"),
    "413": _("请求体过大（code: too_large）。"),
    "415": _("请求体格式不受支持（code: unsupported_media_type），请使用 application/json。"),
    "429": _("令牌请求过于频繁（code: throttled），请按 Retry-After 稍后再试。"),
}


class ApiSchema(AutoSchema):
    """Adds the shared error responses to every operation, so the schema tells the truth
    about every status the API may answer."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["409", "413", "415"]
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=ERROR_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return responses


class HasRole(permissions.BasePermission):
    """Signed in (session or token) and in a role: official, clerk, manager or superuser.
    An account with no role reads nothing through the API."""

    message = _("此账号没有角色，不能使用 API。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return roles.can(user, roles.READ)


class ApiViewMixin:
    """Every API view: signed in with a role; errors in the one shape."""

    permission_classes = [HasRole]
    pagination_class = Pagination


def raise_for_rejection(exc, fields=None, entry=None):
    """A service's refusal (``targets.services.EntryRejected``) as the API's error."""
    messages = exc.messages()
    message = messages[0] if messages else exc.code
    code = "permission_denied" if exc.code == "forbidden" else exc.code
    raise ApiError(exc.http_status, code, message, fields=fields, entry=entry)
