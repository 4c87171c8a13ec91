from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from common.forms import PlainForm

from .models import KINDS
from .services import preference_of, preference_set, reminder_unsubscribe, unsubscribe_reader


class PreferenceForm(PlainForm, forms.Form):
    kinds = forms.MultipleChoiceField(label="Send me", choices=list(KINDS.items()), widget=forms.CheckboxSelectMultiple, required=False)
    digest = forms.TypedChoiceField(label="How", choices=[("0", "Each reminder as it happens"), ("1", "One weekly digest (on Mondays)")], coerce=lambda v: v == "1", widget=forms.RadioSelect)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Which reminders you get by e-mail, and whether one by one or in a weekly digest."""
    preference = preference_of(request.user)
    form = PreferenceForm(request.POST if request.method == "POST" else None, initial={"kinds": [k for k in KINDS if preference.hears(k)], "digest": "1" if preference.digest else "0"})
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["kinds"]
        preference_set(user_id=request.user.pk, digest=form.cleaned_data["digest"], muted=[k for k in KINDS if k not in chosen])
        messages.success(request, "Saved: you will get the reminders you chose.")
        return redirect("reminders:preferences")
    return render(request, "reminders/preferences.html", {"form": form})


@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail client POSTs without a session; the signed token is the credential
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """From a reminder's link, signed in or not: GET asks (so a link scanner changes nothing), POST stops that kind."""
    read = unsubscribe_reader(token)
    if read is None:
        return render(request, "reminders/unsubscribe.html", {"invalid": True}, status=404)
    kind = read[1]
    if request.method == "POST":
        reminder_unsubscribe(token=token)
        return render(request, "reminders/unsubscribe.html", {"done": True, "kind": KINDS[kind]})
    return render(request, "reminders/unsubscribe.html", {"kind": KINDS[kind]})
