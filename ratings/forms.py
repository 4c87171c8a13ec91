import unicodedata

from django import forms
from django.contrib.auth import get_user_model

from common.forms import PlainForm
from maturity import rules
from maturity.levels import Level

LEVELS = [("", "Not rated")] + [(level.value, f"{level.value} {level.label}") for level in Level]


class InviteForm(PlainForm, forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(help_text="The invitation goes here: a link, valid for 7 days and usable once, where they choose their own password.")
    username = forms.CharField(
        label="Sign-in name (optional)", max_length=150, required=False,  # the username rule says what is allowed, and that it is 64 at most
        help_text="Leave it empty and they sign in with their e-mail address; they see it when they choose their password.",
    )
    directorate = forms.ModelChoiceField(queryset=None, required=False, empty_label="No directorate")
    role_label = forms.CharField(label="Their role", max_length=120, help_text="e.g. Commissioner, Contract manager")
    key_areas = forms.ModelMultipleChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple, help_text="Every objective of these key areas…")
    objectives = forms.ModelMultipleChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple, help_text="…and these objectives.")

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        self.fields["directorate"].queryset = assessment.council.directorates.all()
        self.fields["key_areas"].queryset = assessment.framework.sections.all()
        self.fields["objectives"].queryset = assessment.framework.objectives.scorable().order_by("number")

    def clean_username(self):
        """Compared as people read them: NFKC-normalised and case-folded, so 'Ｈead' is 'head' and is taken."""
        username = unicodedata.normalize("NFKC", self.cleaned_data["username"]).strip()
        if not username:
            return ""  # derived from the e-mail address in clean()
        problem = rules.username_problem(username)
        if problem:
            raise forms.ValidationError(problem)
        if username_taken(username):
            raise forms.ValidationError("That sign-in name is taken; choose another, or leave it empty to use their e-mail address.")
        return username

    def clean(self):
        data = super().clean()
        for field, label in (("first_name", "The first name"), ("last_name", "The last name"), ("role_label", "Their role")):
            problem = rules.name_problem(label, data.get(field) or "")
            if problem and field not in self.errors:
                self.add_error(field, problem)
        chosen = set(data.get("objectives") or [])
        for section in data.get("key_areas") or []:
            chosen.update(section.objectives.scorable())
        if not chosen and not self.errors:
            raise forms.ValidationError("Choose at least one key area or objective for them to rate.")
        data["chosen"] = sorted(chosen, key=lambda o: o.number)
        if not data.get("username") and data.get("email") and not self.errors:
            data["username"] = username_from_email(data["email"])
        return data


def username_taken(username):
    """Whether a sign-in name is in use, compared as people read them (NFKC, case-folded)."""
    wanted = unicodedata.normalize("NFKC", username).casefold()
    User = get_user_model()
    return any(unicodedata.normalize("NFKC", existing).casefold() == wanted for existing in User.objects.filter(username__iexact=username).values_list("username", flat=True)) or any(
        unicodedata.normalize("NFKC", existing).casefold() == wanted for existing in User.objects.exclude(username__regex=r"^[A-Za-z0-9@.+_-]*$").values_list("username", flat=True)
    )


def username_from_email(email):
    """A free sign-in name for an invitee: their e-mail address, or its part before the @ with a number, kept
    within the username rule (letters, digits and .-_@+, at most 64 characters)."""
    email = unicodedata.normalize("NFKC", email).strip().casefold()
    local = "".join(c for c in email.split("@")[0] if c.isascii() and (c.isalnum() or c in ".-_+"))[:56] or "rater"
    candidates = [email] + [local] + [f"{local}{n}" for n in range(2, 1000)]
    for candidate in candidates:
        if not rules.username_problem(candidate) and not username_taken(candidate):
            return candidate
    raise forms.ValidationError("Give them a sign-in name: none could be made from the e-mail address.")


class RatingForm(PlainForm, forms.Form):
    level = forms.TypedChoiceField(choices=LEVELS, coerce=int, empty_value=None, required=False, widget=forms.RadioSelect)
    # Length and characters are checked by rules.text_problem in ratings_save, with the message every door gives.
    comment = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": rules.MAX_TEXT_LENGTH}))


class ConsolidateForm(PlainForm, forms.Form):
    level = forms.TypedChoiceField(choices=LEVELS[1:], coerce=int)
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, weakest, **kwargs):
        """`weakest` is shown beside the choice; the rule for overriding it is ratings.services.objective_consolidate's."""
        super().__init__(*args, **kwargs)
        self.weakest = weakest
