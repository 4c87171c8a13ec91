"""What every form in the app shares: errors in one pattern (issue 29, item 13).

The pattern is the GOV.UK Design System's: an error summary at the top linking to each field
(templates/includes/form_errors.html), the message above its field (templates/bootstrap5/field.html), what was
typed kept, "Error:" in the page title (templates/base.html), no browser bubbles. This module gives the forms their
part of it: plain messages that say what to do, and no `required` attribute for browsers to act on.
"""

from django import forms
from django.contrib.auth import forms as auth_forms

DJANGO_REQUIRED = forms.Field.default_error_messages["required"]


def _lower_first(label):
    """'Title' -> 'title', but 'KPI name' stays: only a capital followed by a lower-case letter is lowered."""
    label = str(label or "").strip().rstrip(":")
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def required_message(field, label):
    """What to do when `field` was left empty, in words that name it ("Enter the title", "Choose a file")."""
    name = _lower_first(label) or "this"
    if isinstance(field, forms.FileField):
        return f"Choose a file for {name}." if name != "file" else "Choose a file."
    if isinstance(field, forms.BooleanField):
        return f"Tick “{label}” to go on."
    if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        return f"Choose the {name}."
    return f"Enter the {name}."


def plain_messages(form):
    """Give each field still carrying Django's "This field is required." a message that names it."""
    for name, field in form.fields.items():
        if str(field.error_messages.get("required", "")) == str(DJANGO_REQUIRED):
            field.error_messages = {**field.error_messages, "required": required_message(field, field.label or name.replace("_", " ").capitalize())}


class PlainForm:
    """Mixin for every form (put it first): plain required messages and no browser bubbles (`required` off)."""

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_messages(self)


class NewPasswordForm(PlainForm, auth_forms.SetPasswordForm):
    """Choosing a password: a weak one is said under the first box, where it was typed, and both boxes keep what
    was typed when something is wrong (Django puts every message under the confirmation and empties both)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.render_value = True
        self.fields["new_password2"].label = "Confirm the new password"
        self.fields["new_password2"].help_text = "Type the same password again."
        self.fields["new_password1"].error_messages["required"] = "Enter the new password."
        self.fields["new_password2"].error_messages["required"] = "Type the new password again."
        self.error_messages = {**self.error_messages, "password_mismatch": "The two passwords are not the same: type the same password in both boxes."}

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


class ChangePasswordForm(NewPasswordForm, auth_forms.PasswordChangeForm):
    """Changing a password: the current one first, then the new one twice, with the same messages."""

    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password."
        self.error_messages = {**self.error_messages, "password_incorrect": "That is not your current password: type it again."}
