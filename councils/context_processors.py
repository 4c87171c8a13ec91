from .access import membership_of


def membership(request):
    """The council membership for navigation; None for invited raters, who see only their invitations."""
    user = getattr(request, "user", None)
    return {"membership": membership_of(user) if user is not None else None}
