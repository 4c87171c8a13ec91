import time

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authentication_failed, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

ENROLLED = "signin_second_factor"  # the session's note that this person has enrolled a second factor in it
SIGNED_IN_AT = "signin_signed_in_at"  # when this session's sign-in happened (seconds since the epoch)


@receiver(user_logged_in)
def note_sign_in(sender, request, user, **kwargs):
    """The moment of signing in (password, code or single sign-on): the session ends a working day after it."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


@receiver(authentication_failed, sender=Authenticator)
def count_wrong_code(sender, request, user, **kwargs):
    """A wrong second-factor code is a failed sign-in for django-axes: same username, same address, same lockout."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


@receiver(authenticator_removed)
def forget_enrolment(sender, request, user, **kwargs):
    request.session.pop(ENROLLED, None)
