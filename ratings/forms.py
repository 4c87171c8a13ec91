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
    username = forms.CharField(max_length=150, help_text="They sign in with this.")
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
        problem = rules.username_problem(username)
        if problem:
            raise forms.ValidationError(problem)
        wanted = username.casefold()
        User = get_user_model()
        if any(unicodedata.normalize("NFKC", existing).casefold() == wanted for existing in User.objects.filter(username__iexact=username).values_list("username", flat=True)) or any(
            unicodedata.normalize("NFKC", existing).casefold() == wanted for existing in User.objects.exclude(username__regex=r"^[A-Za-z0-9@.+_-]*$").values_list("username", flat=True)
        ):
            raise forms.ValidationError("That username is taken; choose another.")
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
        return data


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
