"""The navigation bar and profile page sections, by role — one list each, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from tracker.i18n import locale_name
from tracker.workflow import OFFICE_ROLES, SEE_ALL_ROLES, Role

ALL = frozenset(Role)
LIAISON = frozenset({Role.LIAISON})
ADMIN = frozenset({Role.ADMIN})
APPROVER = frozenset({Role.APPROVER})
ACKNOWLEDGERS = frozenset({*OFFICE_ROLES, Role.LIAISON})


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: object
    roles: frozenset[str] = ALL


NAV_LINKS: list[NavLink] = [
    NavLink("main.home", _l("Home")),
    NavLink("items.department_home", _l("My department"), LIAISON),
    NavLink("signoff.home", _l("Sign-off"), APPROVER),
    NavLink(
        "signoff.assignments", _l("Acknowledgements"), frozenset({*OFFICE_ROLES, Role.LIAISON})
    ),
    NavLink("signoff.instructions", _l("Instructions")),
    NavLink("review.office_home", _l("Overview"), SEE_ALL_ROLES),
    NavLink("items.index", _l("Work items")),
    NavLink("review.queue", _l("Review queue"), OFFICE_ROLES),
    NavLink("coordination.index", _l("Coordination"), SEE_ALL_ROLES),
    NavLink("plans.index", _l("Plans")),
    NavLink("indicators.index", _l("Indicators")),
    NavLink("dashboard.city", _l("Dashboard"), SEE_ALL_ROLES),
    NavLink("dashboard.my_department", _l("Department dashboard"), LIAISON),
    NavLink("bulletins.index", _l("Bulletins"), SEE_ALL_ROLES),
    NavLink("letters.index", _l("Letters")),
    NavLink("assessment.index", _l("Assessment"), SEE_ALL_ROLES),
    NavLink("assessment.mine", _l("Our assessment"), LIAISON),
    NavLink("spreadsheets.index", _l("Spreadsheets")),
    NavLink("admin.users", _l("Users"), ADMIN),
    NavLink("admin.departments", _l("Departments"), ADMIN),
    NavLink("notify.outbox", _l("Outbox"), ADMIN),
    NavLink("holidays.index", _l("Holidays"), ADMIN),
]

# The first screen of each role (endpoint names); `/` redirects there once it exists.
ROLE_HOMES: dict[str, str] = {
    Role.LIAISON: "items.department_home",
    Role.OFFICE: "review.office_home",
    Role.ADMIN: "review.office_home",
    Role.LEADER: "dashboard.city",
    Role.APPROVER: "signoff.home",
}

# Templates included on the profile page (API tokens, calendar feed, …).
PROFILE_SECTIONS: list[str] = ["calendar/profile_section.html", "api/_tokens.html"]


def nav_links() -> list[NavLink]:
    """The links the current user's role may follow."""
    return [link for link in NAV_LINKS if current_user.role in link.roles]


# Made menus by (role, language, the link marked active, script root): a few dozen strings.
_MENUS: dict[tuple, Markup] = {}
_MENU_LINK = Markup('<li class="nav-item"><a class="nav-link{}" href="{}">{}</a></li>\n')


def nav_menu() -> Markup:
    """The bar's links for the current user's role, the current page's marked active. Made
    once per process for each role, language and active link: nothing in it depends on the
    data, and building it (22 url_for and translations) was ~0.5 ms of every page."""
    links = nav_links()
    active = request.endpoint if any(link.endpoint == request.endpoint for link in links) else None
    key = (current_user.role, locale_name(), active, request.script_root)
    found = _MENUS.get(key)
    if found is None:
        found = _MENUS[key] = Markup("").join(
            _MENU_LINK.format(
                " active" if link.endpoint == active else "", url_for(link.endpoint), link.label
            )
            for link in links
        )
    return found


def check_endpoints(app: Flask) -> None:
    """Refuse to start when a navigation link or role home names no endpoint (a typo would
    otherwise surface as a broken page for one role only)."""
    named = [link.endpoint for link in NAV_LINKS] + list(ROLE_HOMES.values())
    unknown = sorted({endpoint for endpoint in named if endpoint not in app.view_functions})
    if unknown:
        raise RuntimeError(f"navigation names unknown endpoints: {', '.join(unknown)}")


def profile_sections() -> list[str]:
    return list(PROFILE_SECTIONS)
