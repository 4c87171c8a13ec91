"""Who may do what. Every view goes through these helpers so all check alike.

Outsiders get 404, not 403, for another council's objects: they learn nothing
about what exists. Insiders without the right role get 403.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied


def membership_of(user):
    """The user's council membership, for council-wide pages. Invited raters have none: they see only their invitations."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return None if membership is None or membership.role == membership.Role.RATER else membership


def rater_membership(user):
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return membership if membership is not None and membership.role == membership.Role.RATER else None


def require_member(view):
    """Signed-in users who belong to a council (staff without one are refused)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if membership_of(request.user) is None:
            raise PermissionDenied("Your account is not attached to a council.")
        return view(request, *args, **kwargs)

    return wrapper


def can_read_council(user, council):
    membership = membership_of(user)
    return user.is_staff or (membership is not None and membership.council_id == council.pk)


def can_edit_council(user, council):
    membership = membership_of(user)
    return membership is not None and membership.council_id == council.pk and membership.can_edit


def is_head_of(user, council):
    membership = membership_of(user)
    return membership is not None and membership.council_id == council.pk and membership.is_head
