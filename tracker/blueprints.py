"""The list of area blueprints (plans, items, review, …), so adding one touches one line."""


def area_blueprints() -> list:
    """Every area blueprint beyond auth, main, admin and vendor, in registration order."""
    return []


def area_commands() -> list:
    """Every area's CLI group (plan, notify, scheduler, …)."""
    return []
