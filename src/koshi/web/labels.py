"""Strings that the templates translate from data (roles, statuses), listed so Babel extracts them."""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext marker convention
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


ROLES = (
    N_("applicant"),
    N_("officer"),
    N_("supervisor"),
    N_("analyst"),
    N_("police"),
    N_("employer"),
    N_("agency"),
    N_("akimat"),
    N_("inspector"),
    N_("admin"),
)
