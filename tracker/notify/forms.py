"""Forms of the outbox pages: the buttons only carry a CSRF token."""

from flask_wtf import FlaskForm


class ResendForm(FlaskForm):
    """Resend one failed message, or every failed message."""
