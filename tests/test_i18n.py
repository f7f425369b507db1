"""Every user-facing string has a Chinese translation; English is the message id itself."""

from tools.i18n import missing


def test_every_message_has_a_chinese_translation():
    gaps = missing()
    assert not gaps, "untranslated: " + ", ".join(sorted(gaps)[:20])


def test_english_page_has_no_chinese_interface_text(client):
    client.post("/language", data={"locale": "en"})
    html = client.get("/login").get_data(as_text=True)
    assert "Log in" in html and "登录" not in html
