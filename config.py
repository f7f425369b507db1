"""Configuration classes; each reads the environment so deployments need no code changes."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("TRACKER_INSTANCE_DIR", BASE_DIR / "instance"))

# Values that must never reach production: the development key and obvious placeholders.
INSECURE_SECRET_KEYS = {"", "dev", "changeme", "secret", "development-only-secret-key"}


def database_url(value: str) -> str:
    """Accept the usual `postgresql://` URLs and use psycopg 3 for them."""
    for prefix in ("postgresql://", "postgres://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix) :]
    return value


def _int_list(value: str) -> list[int]:
    return [int(part) for part in value.split(",") if part.strip()]


class Config:
    """Defaults shared by every environment (the embedded development setup)."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-secret-key")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'tracker.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    INSTANCE_PATH = str(INSTANCE_DIR)
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024
    PLAN_MAX_BYTES = int(os.environ.get("PLAN_MAX_MB", "10")) * 1024 * 1024
    # One evidence file at most this many bytes; None: as much as the whole request may
    # carry (MAX_CONTENT_LENGTH, read when the file arrives, so the two cannot disagree).
    EVIDENCE_MAX_FILE_BYTES = int(os.environ.get("EVIDENCE_MAX_FILE_BYTES") or 0) or None
    # A 任务分解表 upload: bytes of the file and data rows read (the reader's own defaults).
    SPREADSHEET_MAX_BYTES = int(os.environ.get("SPREADSHEET_MAX_MB", "5")) * 1024 * 1024
    SPREADSHEET_MAX_ROWS = int(os.environ.get("SPREADSHEET_MAX_ROWS", "5000"))
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None

    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TRACKER_TIMEZONE", "Asia/Shanghai")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ["zh_Hans_CN", "en"]

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    # Password guesses are throttled per source — a username from one client address, or
    # one user's password changes (tracker/auth/throttle.py): this many failures are free,
    # then the source waits LOGIN_DELAY_SECONDS, doubling per failure, at most
    # LOGIN_LOCK_MINUTES. No account is ever locked.
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "10"))
    LOGIN_DELAY_SECONDS = int(os.environ.get("LOGIN_DELAY_SECONDS", "2"))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "15"))
    # Proxies in front of the app that append the client to X-Forwarded-For (nginx: 1).
    # 0 when clients connect directly: then the header is a client's say-so and is ignored.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    ITEMS_PER_PAGE = 25
    # A date (YYYY-MM-DD) that pins the pages' and the API's "today", for tests and
    # demonstrations only: the services always take today/now as parameters anyway.
    # ProductionConfig refuses to start with it (every deadline shown would be wrong).
    TRACKER_TODAY = os.environ.get("TRACKER_TODAY") or None

    # Notifications and the scheduler.
    TIMEZONE = BABEL_DEFAULT_TIMEZONE
    REMINDER_OFFSETS = _int_list(os.environ.get("REMINDER_OFFSETS", "7,3,1"))
    # 签收: working days a lead department has to acknowledge a new assignment.
    ACK_WORKING_DAYS = int(os.environ.get("ACK_WORKING_DAYS", "3"))
    # 领导批示: working days the lead department has to answer (落实情况).
    INSTRUCTION_WORKING_DAYS = int(os.environ.get("INSTRUCTION_WORKING_DAYS", "5"))
    # Approvers are reminded of reports waiting this many working days for their sign-off.
    APPROVAL_REMIND_AFTER_WORKING_DAYS = int(
        os.environ.get("APPROVAL_REMIND_AFTER_WORKING_DAYS", "1")
    )
    OVERDUE_ESCALATE_AFTER_DAYS = int(os.environ.get("OVERDUE_ESCALATE_AFTER_DAYS", "7"))
    DIGEST_DAY_OF_WEEK = os.environ.get("DIGEST_DAY_OF_WEEK", "mon")
    DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", "9"))
    DUE_SOON_DAYS = int(os.environ.get("DUE_SOON_DAYS", "14"))
    # Supervision letters (tracker/letters): a yellow 催办单 when a report is this many
    # working days late, an orange 督办单 at LETTER_ORANGE_DAYS; a reply is due this many
    # working days after the letter; the daily run at LETTER_TIME (after the reminders).
    LETTER_YELLOW_DAYS = int(os.environ.get("LETTER_YELLOW_DAYS", "3"))
    LETTER_ORANGE_DAYS = int(os.environ.get("LETTER_ORANGE_DAYS", "10"))
    LETTER_REPLY_WORKING_DAYS = int(os.environ.get("LETTER_REPLY_WORKING_DAYS", "5"))
    LETTER_TIME = os.environ.get("LETTER_TIME", "08:45")
    # The office's document settings printed on every letter (blank: the office's name).
    LETTER_ISSUING_BODY = os.environ.get("LETTER_ISSUING_BODY", "")
    LETTER_SEAL_TEXT = os.environ.get("LETTER_SEAL_TEXT", "")
    LETTER_SIGNATURE = os.environ.get("LETTER_SIGNATURE", "")
    # 序时进度 (tracker/schedule.py): an open item this many points behind the expected
    # progress is yellow, more than SCHEDULE_RED_LAG points behind red.
    SCHEDULE_YELLOW_LAG = int(os.environ.get("SCHEDULE_YELLOW_LAG", "10"))
    SCHEDULE_RED_LAG = int(os.environ.get("SCHEDULE_RED_LAG", "30"))
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")  # file | smtp
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR", str(INSTANCE_DIR / "mail"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "tracker@localhost")
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "5"))
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))
    EXTERNAL_URL = os.environ.get("EXTERNAL_URL", "http://127.0.0.1:5000")
    MAIL_CA_FILE = os.environ.get("MAIL_CA_FILE")  # a private CA for the relay's certificate
    MAIL_RETRY_BASE_SECONDS = int(os.environ.get("MAIL_RETRY_BASE_SECONDS", "120"))
    # Channels beside mail (issue 21), comma-separated: mail, dingtalk, webhook, sms.
    NOTIFY_CHANNELS = os.environ.get("NOTIFY_CHANNELS", "mail")
    NOTIFY_HTTP_TIMEOUT = int(os.environ.get("NOTIFY_HTTP_TIMEOUT", "10"))
    # Plain http is refused for every outgoing notification URL; tests allow 127.0.0.1 only.
    NOTIFY_ALLOW_HTTP_LOOPBACK = False
    # DingTalk 工作通知 (企业内部应用); for 浙政钉 (专有钉钉) set its base URL and tenant id.
    DINGTALK_API_BASE = os.environ.get("DINGTALK_API_BASE", "https://oapi.dingtalk.com")
    DINGTALK_APP_KEY = os.environ.get("DINGTALK_APP_KEY", "")
    DINGTALK_APP_SECRET = os.environ.get("DINGTALK_APP_SECRET", "")
    DINGTALK_AGENT_ID = os.environ.get("DINGTALK_AGENT_ID", "")
    DINGTALK_TENANT_ID = os.environ.get("DINGTALK_TENANT_ID", "")
    # The office's group robot (DingTalk robot URL + 加签 secret, or a 企业微信 robot URL).
    NOTIFY_OFFICE_WEBHOOK = os.environ.get("NOTIFY_OFFICE_WEBHOOK", "")
    NOTIFY_OFFICE_WEBHOOK_SECRET = os.environ.get("NOTIFY_OFFICE_WEBHOOK_SECRET", "")
    # A generic SMS HTTP gateway: POST JSON, answer JSON with code 0 / "OK".
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
    SMS_TEMPLATE_ID = os.environ.get("SMS_TEMPLATE_ID", "")
    SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")
    REMINDER_TIME = os.environ.get("REMINDER_TIME", "08:30")  # daily reminders, local time
    SCHEDULER_DISPATCH_SECONDS = int(os.environ.get("SCHEDULER_DISPATCH_SECONDS", "60"))
    SCHEDULER_STANDBY_SECONDS = int(os.environ.get("SCHEDULER_STANDBY_SECONDS", "15"))

    # Nightly backups (tracker/backup): off unless BACKUP_DIR is set; the newest BACKUP_KEEP
    # archives are kept; BACKUP_TIME is local time.
    BACKUP_DIR = os.environ.get("BACKUP_DIR") or None
    BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "7"))
    BACKUP_TIME = os.environ.get("BACKUP_TIME", "02:30")

    # Rendered fragments of the homes and dashboards, kept until the next write
    # (tracker/fragments.py): SimpleCache per process; RedisCache (CACHE_REDIS_URL) shares
    # them between workers; FRAGMENT_CACHE=0 renders every time.
    # Rows of the city dashboard's department tables; the rest on /dashboard/departments.
    DASHBOARD_DEPARTMENT_ROWS = int(os.environ.get("DASHBOARD_DEPARTMENT_ROWS", "30"))
    FRAGMENT_CACHE = os.environ.get("FRAGMENT_CACHE", "1") == "1"
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "SimpleCache")
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "")
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", "600"))
    CACHE_THRESHOLD = int(os.environ.get("CACHE_THRESHOLD", "2000"))

    SCHEDULER_ENABLED = False  # only `make run` and `flask scheduler` start it
    PRODUCTION = False


class DevelopmentConfig(Config):
    """`make run`: SQLite under instance/, the scheduler in-process, mail to files."""

    DEBUG = True
    SCHEDULER_ENABLED = os.environ.get("SCHEDULER_ENABLED", "1") == "1"


class TestingConfig(Config):
    """The test suite: its own database (TEST_DATABASE_URL or a temporary SQLite file)."""

    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    WTF_CSRF_ENABLED = False
    LOGIN_MAX_FAILURES = 5
    MAIL_BACKEND = "memory"
    # Tests talk to a fake DingTalk / robot / SMS server on 127.0.0.1 over plain http.
    NOTIFY_ALLOW_HTTP_LOOPBACK = True


class ProductionConfig(Config):
    """gunicorn behind nginx, PostgreSQL, SMTP; refuses to start without a real secret."""

    PRODUCTION = True
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL", ""))
    # README's deployment: gunicorn on 127.0.0.1 behind one nginx, which must set
    # `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "1"))
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")

    @classmethod
    def validate(cls) -> None:
        """Refuse to run with a missing or development secret key, no database or a pinned
        clock."""
        if cls.SECRET_KEY in INSECURE_SECRET_KEYS or len(cls.SECRET_KEY) < 16:
            raise RuntimeError(
                "SECRET_KEY is missing or insecure: set a random value of 16+ characters"
            )
        if not cls.SQLALCHEMY_DATABASE_URI:
            raise RuntimeError("DATABASE_URL is not set")
        if cls.TRACKER_TODAY:
            raise RuntimeError(
                "TRACKER_TODAY pins the clock for tests and demonstrations: unset it in production"
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
