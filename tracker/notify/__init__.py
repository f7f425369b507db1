"""Notices by mail, DingTalk, robots and SMS: the outbox, the jobs, transports and the 发件箱."""

from flask import Blueprint

bp = Blueprint("notify", __name__)
