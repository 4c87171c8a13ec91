from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from councils.models import Membership


def sessions_end(*, user_id, keep_session_key=None):
    """Sign a person out everywhere (but the session kept, if one is given): every session of theirs is ended."""
    for session in UserSession.objects.filter(user_id=user_id).exclude(session_key=keep_session_key or ""):
        session.end()


@transaction.atomic
def member_remove(*, membership_id, removed_by_id):
    """A head removes a member of their council at once: the membership goes, the account can no longer sign in by
    password or single sign-on, and every session it has ends now."""
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership_id)
    remover = Membership.objects.get(user_id=removed_by_id)
    if remover.council_id != membership.council_id or not remover.is_head:
        raise ValidationError("Only the council's head of procurement can remove its members.")
    if membership.user_id == removed_by_id:
        raise ValidationError("You cannot remove yourself: ask site staff, or another head, to do it.")
    user = membership.user
    membership.delete()
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    SocialAccount.objects.filter(user=user).delete()
    transaction.on_commit(lambda: sessions_end(user_id=user.pk))
    return user
