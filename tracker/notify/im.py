"""Sending beyond mail: DingTalk / 浙政钉 work notifications, group robots and an SMS gateway.

Standard library only (urllib). Every URL must be https; plain http is accepted only for
127.0.0.1 / localhost when the configuration allows it (the tests' fake server).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from tracker import clock

logger = logging.getLogger(__name__)

_MAX_ANSWER = 1024 * 1024
# DingTalk: 40014 invalid access_token, 42001 access_token expired (88 in the new API).
EXPIRED_TOKEN_CODES = {40014, 42001, 88}
# Refresh a cached token this long before DingTalk says it ends.
TOKEN_MARGIN = timedelta(minutes=5)
_token_lock = threading.Lock()


class ChannelError(Exception):
    """This message could not be sent now; `permanent` ones are not worth retrying."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def url_problem(url: str | None, *, allow_loopback_http: bool = False) -> str | None:
    """Why `url` may not receive notifications (an English msgid), or None when it may."""
    if not url:
        return "No URL is configured."
    parsed = urllib.parse.urlsplit(url.strip())
    if not parsed.hostname:
        return "The URL must start with https:// and name a host."
    if parsed.scheme == "https":
        return None
    if parsed.scheme == "http" and allow_loopback_http and _is_loopback(parsed.hostname):
        return None
    return "The URL must start with https:// (plain http would send the message unencrypted)."


# url_problem's English answers, in the reader's language.
URL_PROBLEMS = {
    "No URL is configured.": _l("No URL is configured."),
    "The URL must start with https:// and name a host.": _l(
        "The URL must start with https:// and name a host."
    ),
    "The URL must start with https:// (plain http would send the message unencrypted).": _l(
        "The URL must start with https:// (plain http would send the message unencrypted)."
    ),
}


def url_message(url: str | None) -> str | None:
    """Why `url` cannot receive notifications, translated; None when it can."""
    problem = url_problem(
        url, allow_loopback_http=bool(current_app.config.get("NOTIFY_ALLOW_HTTP_LOOPBACK"))
    )
    return str(URL_PROBLEMS.get(problem, problem)) if problem else None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _checked(url: str) -> str:
    problem = url_problem(
        url, allow_loopback_http=bool(current_app.config.get("NOTIFY_ALLOW_HTTP_LOOPBACK"))
    )
    if problem:
        raise ChannelError(f"{problem} ({url[:100]})", permanent=True)
    return url.strip()


def _request(request: urllib.request.Request) -> dict:
    timeout = int(current_app.config.get("NOTIFY_HTTP_TIMEOUT", 10))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (checked)
            body = response.read(_MAX_ANSWER)
    except urllib.error.HTTPError as error:
        raise ChannelError(f"HTTP {error.code} from {request.host}") from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ChannelError(f"{request.host} unreachable: {reason}") from error
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ChannelError(f"the answer is not JSON: {body[:80]!r}") from None
    if not isinstance(answer, dict):
        raise ChannelError(f"the answer is not a JSON object: {body[:80]!r}")
    return answer


def post_json(url: str, payload: dict, headers: dict | None = None) -> dict:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 (the URL is checked)
        _checked(url),
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    return _request(request)


def get_json(url: str) -> dict:
    return _request(urllib.request.Request(_checked(url), method="GET"))  # noqa: S310


def _errcode(answer: dict) -> int | None:
    try:
        return int(answer.get("errcode", 0))
    except (TypeError, ValueError):
        return None


# -- DingTalk / 浙政钉 work notifications ------------------------------------------------


def _token_cache() -> dict:
    return current_app.extensions.setdefault("notify.dingtalk_tokens", {})


class DingTalk:
    """工作通知 of an internal app: token from app key/secret, cached until it expires."""

    def __init__(self, config):
        self.base = (config.get("DINGTALK_API_BASE") or "").rstrip("/")
        self.key = config.get("DINGTALK_APP_KEY") or ""
        self.secret = config.get("DINGTALK_APP_SECRET") or ""
        self.agent_id = str(config.get("DINGTALK_AGENT_ID") or "")
        self.tenant_id = str(config.get("DINGTALK_TENANT_ID") or "")

    def missing(self) -> list[str]:
        names = ("DINGTALK_APP_KEY", "DINGTALK_APP_SECRET", "DINGTALK_AGENT_ID")
        values = (self.key, self.secret, self.agent_id)
        return [name for name, value in zip(names, values, strict=True) if not value]

    def _query(self, **values) -> str:
        if self.tenant_id:
            values["tenantId"] = self.tenant_id
        return urllib.parse.urlencode(values)

    def token(self, *, refresh: bool = False) -> str:
        cache_key = (self.base, self.key)
        now = clock.now()
        with _token_lock:
            cached = _token_cache().get(cache_key)
            if cached and not refresh and cached[1] > now:
                return cached[0]
            answer = get_json(
                f"{self.base}/gettoken?" + self._query(appkey=self.key, appsecret=self.secret)
            )
            if _errcode(answer) != 0 or not answer.get("access_token"):
                raise ChannelError(
                    f"DingTalk refused the app key/secret: {answer.get('errmsg', answer)}"
                )
            lifetime = timedelta(seconds=int(answer.get("expires_in") or 7200))
            _token_cache()[cache_key] = (answer["access_token"], now + lifetime - TOKEN_MARGIN)
            return answer["access_token"]

    def send(self, user_ids: list[str], title: str, text: str) -> str:
        """Queue one markdown work notification; returns DingTalk's task id."""
        missing = self.missing()
        if missing:
            raise ChannelError("DingTalk is not configured: " + ", ".join(missing), permanent=True)
        payload = {
            "agent_id": int(self.agent_id) if self.agent_id.isdigit() else self.agent_id,
            "userid_list": ",".join(user_ids),
            "msg": {"msgtype": "markdown", "markdown": {"title": title, "text": text}},
        }
        answer = {}
        for attempt in range(2):  # an expired token is refreshed once, then it is an error
            token = self.token(refresh=attempt > 0)
            url = f"{self.base}/topapi/message/corpconversation/asyncsend_v2?" + self._query(
                access_token=token
            )
            answer = post_json(url, payload)
            if _errcode(answer) not in EXPIRED_TOKEN_CODES:
                break
            logger.info("DingTalk access token rejected (%s), fetching a new one", answer)
        if _errcode(answer) != 0:
            raise ChannelError(
                f"DingTalk errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:500]
            )
        return str(answer.get("task_id", ""))


# -- group robots ---------------------------------------------------------------------------


def robot_kind(url: str) -> str:
    """企业微信 robots post to /cgi-bin/webhook/send; everything else is a DingTalk robot."""
    path = urllib.parse.urlsplit(url or "").path
    return "wecom" if path.rstrip("/").endswith("/cgi-bin/webhook/send") else "dingtalk"


def robot_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk 加签: base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def robot_send(url: str, secret: str | None, title: str, text: str) -> None:
    url = _checked(url)
    if robot_kind(url) == "wecom":
        payload = {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}}
    else:
        payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        if secret:
            timestamp = int(clock.now().replace(tzinfo=UTC).timestamp() * 1000)
            separator = "&" if "?" in url else "?"
            url += f"{separator}timestamp={timestamp}&sign={robot_sign(secret, timestamp)}"
    answer = post_json(url, payload)
    if _errcode(answer) != 0:
        raise ChannelError(f"robot errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


# -- SMS ----------------------------------------------------------------------------------


def sms_send(config, mobile: str, text: str) -> str:
    """POST {mobile, template_id, sign_name, params} to the gateway; code 0 / OK is success."""
    headers = {}
    if config.get("SMS_GATEWAY_TOKEN"):
        headers["Authorization"] = f"Bearer {config['SMS_GATEWAY_TOKEN']}"
    answer = post_json(
        config.get("SMS_GATEWAY_URL") or "",
        {
            "mobile": mobile,
            "template_id": config.get("SMS_TEMPLATE_ID") or "",
            "sign_name": config.get("SMS_SIGN_NAME") or "",
            "params": {"content": text},
        },
        headers,
    )
    code = answer.get("code", answer.get("errcode"))
    if str(code).upper() not in ("0", "OK") and answer.get("success") is not True:
        raise ChannelError(f"SMS gateway answered {json.dumps(answer, ensure_ascii=False)[:200]}")
    return str(answer.get("id") or answer.get("message_id") or "")


def local_day_start(now: datetime) -> datetime:
    """The naive-UTC instant at which the local day of `now` began (DingTalk's day)."""
    day = clock.local_date(now)
    start = datetime.combine(day, datetime.min.time(), tzinfo=clock.zone())
    return start.astimezone(UTC).replace(tzinfo=None)
