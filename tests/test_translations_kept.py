"""The templates' translations and the locale name, kept per request for its locale
(tracker/i18n.py): right in each language, and never stale when the locale changes."""

from flask import render_template_string
from flask_babel import force_locale, refresh

from tracker.i18n import locale_name, translations


def test_templates_translate_in_the_requests_language(client):
    english = client.get("/login?lang=en").get_data(as_text=True)
    chinese = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in english and ">Plan Tracker<" in english
    assert '<html lang="zh-CN">' in chinese and ">Plan Tracker<" not in chinese


def test_a_forced_locale_is_not_served_the_kept_translations(app):
    with app.test_request_context("/"):
        chinese = translations()
        assert render_template_string("{{ _('Work items') }}") == "工作事项"
        with force_locale("en"):
            assert translations() is not chinese
            assert render_template_string("{{ _('Work items') }}") == "Work items"
            assert locale_name() == "en"
        assert translations() is chinese
        assert locale_name() == "zh_Hans_CN"
        assert render_template_string("{{ _('Work items') }}") == "工作事项"


def test_a_refreshed_locale_is_read_again(app):
    with app.test_request_context("/"):
        assert locale_name() == "zh_Hans_CN"
        from flask import session

        session["locale"] = "en"
        refresh()
        assert locale_name() == "en"
        assert render_template_string("{{ _('Work items') }}") == "Work items"


def test_outside_a_request_the_default_language(app):
    with app.app_context():
        assert translations().ugettext("Work items") == "工作事项"
