from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from councils.access import get_membership_for_user

from .forms import ApiKeyForm
from .models import ApiKey
from .services import apikey_create, apikey_revoke


@login_required
def keys(request):
    """The council's API keys for Power BI and Excel: create one (shown once), see when each was last used, revoke."""
    membership = get_membership_for_user(request, head=True)
    form, created = ApiKeyForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        try:
            key, created = apikey_create(council_id=membership.council_id, created_by_id=request.user.pk, name=form.cleaned_data["name"], expires_on=form.cleaned_data["expires_on"])
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            form = ApiKeyForm()
            messages.success(request, f"Key “{key.name}” created. Copy it now: it is shown only this once.")
    rows = ApiKey.objects.filter(council=membership.council).select_related("created_by")
    return render(request, "api/keys.html", {"form": form, "created": created, "keys": rows, "council": membership.council}, status=200)


@login_required
@require_POST
def revoke(request, pk):
    membership = get_membership_for_user(request, head=True)
    key = ApiKey.objects.filter(pk=pk, council=membership.council).first()
    if key is None:
        raise Http404
    try:
        apikey_revoke(key_id=key.pk, revoked_by_id=request.user.pk)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Key “{key.name}” revoked: it no longer works.")
    return redirect("api_keys:list")
