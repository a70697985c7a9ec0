"""How one delivery leaves: an e-mail through Django's mail API, or a JSON post to a
企业微信 or 钉钉 group robot in their documented formats.

- 企业微信 (WeCom) group robot: ``POST <webhook>`` with
  ``{"msgtype": "markdown", "markdown": {"content": "…"}}`` (content at most 4,096 bytes);
  answers ``{"errcode": 0, "errmsg": "ok"}``.
- 钉钉 (DingTalk) custom robot: ``POST <webhook>`` with
  ``{"msgtype": "markdown", "markdown": {"title": "…", "text": "…"}}``; with 加签 the URL
  carries ``&timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256(secret,
  "<ms>\\n<secret>")))>``; answers ``{"errcode": 0, "errmsg": "ok"}``.

Any other answer (an HTTP error, a non-JSON body, a non-zero ``errcode``) raises
``DeliveryError``: the task retries it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

from .models import Delivery, Notification

WECOM_MAX_BYTES = 4096
TIMEOUT_S = 5


class DeliveryError(Exception):
    """A channel refused or could not be reached; worth retrying."""


def absolute(link: str) -> str:
    """``link`` as an address outside the site (``SITE_URL`` before a path)."""
    if not link or link.startswith(("http://", "https://")):
        return link
    return getattr(settings, "SITE_URL", "").rstrip("/") + link


def absolute_link(notification: Notification) -> str:
    return absolute(notification.link)


def _shortened(body: str, max_lines: int | None) -> str:
    """``body`` cut to its first ``max_lines`` lines (None: whole), "……" marking the cut."""
    lines = body.splitlines()
    if max_lines is None or len(lines) <= max_lines:
        return body
    return "\n".join([*lines[:max_lines], "- ……"])


def _markdown(notification: Notification, max_lines: int | None = None) -> str:
    """The title in bold, then each part (a daily notice's sections: its heading in bold)
    with its items (at most ``max_lines`` lines each) and its own 查看详情 link."""
    lines = [f"**{notification.title}**"]
    for part in notification.parts:
        if part.get("heading"):
            lines.append(f"**{part['heading']}**")
        if part.get("body"):
            lines.append(_shortened(part["body"], max_lines))
        if part.get("link"):
            lines.append(f"[查看详情]({absolute(part['link'])})")
    return "\n\n".join(lines)


def plain_text(notification: Notification) -> str:
    """The e-mail's text: each part's heading, items and full link."""
    chunks = []
    for part in notification.parts:
        text = "\n".join(line for line in (part.get("heading", ""), part.get("body", "")) if line)
        link = absolute(part.get("link", ""))
        chunks.append(f"{text}\n\n{link}" if text and link else text or link)
    return "\n\n".join(chunk for chunk in chunks if chunk)


def wecom_payload(notification: Notification) -> dict:
    """企业微信 takes 4,096 bytes: a long notice lists fewer items per part, so that every
    part's heading and link still arrive; cut at the limit only as a last resort."""
    for max_lines in (None, 10, 6, 3, 1, 0):
        content = _markdown(notification, max_lines)
        if len(content.encode()) <= WECOM_MAX_BYTES:
            break
    content = content.encode()[:WECOM_MAX_BYTES].decode(errors="ignore")
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_payload(notification: Notification) -> dict:
    return {"msgtype": "markdown", "markdown": {"title": notification.title, "text": _markdown(notification)}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's 加签: base64(HMAC-SHA256(key=secret, "timestamp\\nsecret")), URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The robot's URL, signed when it has a secret."""
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else round(time.time() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def post_json(url: str, payload: dict) -> dict:
    """POST ``payload`` as JSON; the robot's JSON answer, or ``DeliveryError``."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 (http(s) only: URLField validates the scheme)
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            text = response.read(65536)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"{type(error).__name__}: {getattr(error, 'reason', error)}") from None
    try:
        answer = json.loads(text or b"{}")
    except ValueError:
        raise DeliveryError("invalid JSON answer") from None
    if not isinstance(answer, dict) or answer.get("errcode", 0) != 0:
        errcode = answer.get("errcode") if isinstance(answer, dict) else None
        errmsg = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise DeliveryError(f"errcode {errcode}: {errmsg}"[:300])
    return answer


def send(delivery: Delivery) -> None:
    """Send one delivery through its channel; raises ``DeliveryError`` on failure."""
    notification = delivery.notification
    if delivery.channel == Delivery.Channel.EMAIL:
        address = notification.recipient.email
        if not address:
            raise DeliveryError("recipient has no e-mail address")
        try:
            send_mail(notification.title, plain_text(notification), settings.DEFAULT_FROM_EMAIL, [address])
        except Exception as error:  # noqa: BLE001 (SMTP errors of every kind are retried)
            raise DeliveryError(f"{type(error).__name__}: {error}"[:300]) from None
        return
    target = delivery.target
    if target is None:
        raise DeliveryError("no webhook target")
    if delivery.channel == Delivery.Channel.WECOM:
        post_json(target.url, wecom_payload(notification))
    else:
        post_json(dingtalk_url(target.url, target.secret), dingtalk_payload(notification))
