from django.utils.functional import SimpleLazyObject

from .access import capabilities


def caps(request):
    """`caps`: what the signed-in user may do across their council (councils.access.Capabilities). Templates ask it,
    never a role; per-object answers come from the views, which ask each app's access module."""
    user = getattr(request, "user", None)
    return {"caps": SimpleLazyObject(lambda: capabilities(user))}
