from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class MemberBackend(ModelBackend):
    """Django's own password backend, loading a signed-in person's membership and council with them: every page
    asks what they may do (councils.access), so that is read in the same query as the user, not two more."""

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("membership__council__sign_in").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
