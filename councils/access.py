"""Who may do what at council level: every app's access module builds on these, so all check alike.

Each app has its own `access.py` with a `get_<thing>_for_user` helper (assessments, actionplans, ratings);
views call those and never test roles themselves. Outsiders get 404, not 403, for another council's objects:
they learn nothing about what exists. Insiders without the right role get 403.
"""

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied


def membership_of(user):
    """The user's council membership, for council-wide pages. Invited raters have none: they see only their invitations."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return None if membership is None or membership.role == membership.Role.RATER else membership


def rater_membership(user):
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return membership if membership is not None and membership.role == membership.Role.RATER else None


def get_membership_for_user(request, *, edit=False, head=False):
    """The signed-in user's membership for a council-wide page; 403 without one, or without the role asked for."""
    membership = membership_of(request.user)
    if membership is None:
        raise PermissionDenied("Your account is not attached to a council.")
    if edit and not membership.can_edit:
        raise PermissionDenied("Only the council's officers and heads of procurement can do this.")
    if head and not membership.is_head:
        raise PermissionDenied("Only the council's head of procurement can do this.")
    return membership


def require_member(view):
    """Signed-in users who belong to a council (staff without one are refused)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        get_membership_for_user(request)
        return view(request, *args, **kwargs)

    return wrapper


def council_scope(user):
    """Which council's objects a user may read: 'all' for staff, a council id for its people, None for nobody."""
    if user.is_staff:
        return "all"
    membership = membership_of(user)
    return membership.council_id if membership is not None else None


def can_edit_council(user, council):
    membership = membership_of(user)
    return membership is not None and membership.council_id == council.pk and membership.can_edit


def is_head_of(user, council):
    membership = membership_of(user)
    return membership is not None and membership.council_id == council.pk and membership.is_head


def can_see_benchmarks(user):
    """Benchmarking is for a council's people and site staff; invited raters see nothing but their invitation."""
    return council_scope(user) is not None


@dataclass(frozen=True)
class Capabilities:
    """What the signed-in user may do across their council, for templates (`caps` in every page's context):
    templates ask these, never a role. Per-object answers (this plan, this year) come from each app's access module."""

    council: object = None  # the council whose pages these are, or None
    role_label: str = ""
    is_member: bool = False  # a council's officer, head or councillor (not an invited rater)
    can_edit: bool = False  # score drafts, change plans: officers and heads
    can_sign_off: bool = False  # sign off years, start and publish plans, invite raters: heads
    reads_submitted_only: bool = False  # councillors: drafts are not theirs to read
    can_see_benchmarks: bool = False
    can_use_admin: bool = False  # site staff
    can_load_frameworks: bool = False
    is_rater: bool = False


def capabilities(user):
    if user is None or not user.is_authenticated:
        return Capabilities()
    membership = membership_of(user)
    return Capabilities(
        council=membership.council if membership else None,
        role_label=membership.get_role_display() if membership else "",
        is_member=membership is not None,
        can_edit=bool(membership and membership.can_edit),
        can_sign_off=bool(membership and membership.is_head),
        reads_submitted_only=bool(membership and not membership.can_edit),
        can_see_benchmarks=can_see_benchmarks(user),
        can_use_admin=user.is_staff,
        can_load_frameworks=user.is_staff,
        is_rater=rater_membership(user) is not None,
    )


def admin_sign_in_allowed(user):
    """Who may go through the admin's sign-in: site staff (already in: straight to the admin) and the signed-out
    (to the one sign-in page, second factor and all). Anyone else signed in is refused: the admin is not theirs."""
    if user.is_authenticated and not user.is_staff:
        raise PermissionDenied("The admin pages are for site staff only.")
    return True
