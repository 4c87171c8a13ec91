from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authentication_failed, authenticator_removed
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

ENROLLED = "signin_second_factor"  # the session's note that this person has enrolled a second factor in it


@receiver(authentication_failed, sender=Authenticator)
def count_wrong_code(sender, request, user, **kwargs):
    """A wrong second-factor code is a failed sign-in for django-axes: same username, same address, same lockout."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


@receiver(authenticator_removed)
def forget_enrolment(sender, request, user, **kwargs):
    request.session.pop(ENROLLED, None)
