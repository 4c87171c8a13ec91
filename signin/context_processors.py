from .middleware import session_seconds_left


def session_end(request):
    """`session_seconds_left` for base.html's timeout warning (GOV.UK's pattern): nothing for the signed-out."""
    return {"session_seconds_left": session_seconds_left(request)}
