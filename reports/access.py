"""Who may see the council dashboard and benchmarking: the one answer for each, built on councils.access.

The dashboard is for a council's people (officers, heads, councillors); benchmarking for them and site staff,
with other councils anonymous. Invited raters see neither.
"""

from django.core.exceptions import PermissionDenied

from councils.access import can_see_benchmarks, get_membership_for_user, membership_of


def get_dashboard_council_for_user(request):
    """The council whose dashboard this user reads; 403 without a council."""
    return get_membership_for_user(request).council


def get_benchmark_council_for_user(request):
    """Their own council (None for site staff) when they may see benchmarking; 403 for anyone else."""
    if not can_see_benchmarks(request.user):
        raise PermissionDenied("Benchmarking is for councils' people; your account is not attached to a council.")
    membership = membership_of(request.user)
    return membership.council if membership else None
