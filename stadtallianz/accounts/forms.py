"""Forms for registering, logging in, the profile, API tokens and deleting an account."""

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.mail import send_mail_to

from .models import ApiToken, User, validate_display_name
from .names import display_name_problem, normalised

# More than this many live tokens is almost certainly a script gone wrong, not a person.
MAX_ACTIVE_TOKENS = 25


def _checked_display_name(name: str, user) -> str:
    """The display name trimmed, or the reason it would pass for someone else (names.py)."""
    name = normalised(name)
    problem = display_name_problem(name, user)
    if problem:
        raise ValidationError(problem, code="display_name_taken")
    return name


class RegistrationForm(auth_forms.SetPasswordMixin, forms.ModelForm):
    """Validates a new account; `services.account_register` creates it."""

    password1, password2 = auth_forms.SetPasswordMixin.create_password_fields(
        label1=_("Password"), label2=_("Password (again)"),
    )
    # Recorded with the version of the notice (legal.ConsentRecord); required.
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and accept it."),
        error_messages={"required": _("Please accept the privacy notice to register.")})

    class Meta:
        model = User
        fields = ["full_name", "display_name", "email", "preferred_language"]
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "display_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        help_texts = {
            "preferred_language": _(
                "The language of the pages after you log in and of our e-mails."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("preferred_language",
                                    translation.get_language() or settings.LANGUAGE_CODE)
        self.fields["privacy_consent"].help_text = format_html(
            '<a href="{}">{}</a>', reverse("legal:privacy"), _("Read the privacy notice"))

    def clean_display_name(self):
        return _checked_display_name(self.cleaned_data.get("display_name", ""), None)

    def clean_email(self):
        # A taken address is no error here: the form answers as for a new one, and
        # services.account_register e-mails the address's owner instead (issue 11, item 7).
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    def validate_unique(self):
        # Not for the address, for the reason above; the other fields are not unique.
        pass

    def clean(self):
        self.validate_passwords()
        return super().clean()

    def _post_clean(self):
        super()._post_clean()
        # After super() the instance carries name and e-mail, so the similarity check sees them;
        # the error is shown at the first password field, where the password was typed.
        self.validate_password_for_user(self.instance, password_field_name="password1")  # noqa: S106


class LoginForm(auth_forms.AuthenticationForm):
    """E-mail and password; refuses an account whose address is not confirmed yet."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or the password is not correct."),
        "email_unconfirmed": _(
            "Please confirm your e-mail address first: open the link in the e-mail we sent you."
        ),
    }

    def clean_username(self):
        # One spelling per address, so the lock-out counts "Anna@x" and "anna@x" together.
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.email_confirmed_at is None:
            raise ValidationError(self.error_messages["email_unconfirmed"],
                                  code="email_unconfirmed")


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Sends the reset e-mail in the recipient's preferred language."""

    email = forms.EmailField(
        label=_("E-mail address"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        # Django would log a failed send and drop the mail; through the outbox it is kept and
        # sent again instead.
        send_mail_to(context["user"], template="accounts/emails/password_reset", context=context,
                     from_email=from_email)


class SetPasswordForm(auth_forms.SetPasswordForm):
    """Setting a password from a reset link also proves the address is the person's."""

    def save(self, commit=True):
        from .services import account_password_reset

        return account_password_reset(user=self.user, password=self.cleaned_data["new_password1"])


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form checks the old password; the change itself is the service's."""

    def save(self, commit=True):
        from .services import account_password_change

        return account_password_change(user=self.user,
                                       new_password=self.cleaned_data["new_password1"])


class ProfileForm(forms.Form):
    # A plain form, not a ModelForm: validating must not change the person before the service
    # compares the old and new values for the audit log.
    full_name = User._meta.get_field("full_name").formfield(
        widget=forms.TextInput(attrs={"autocomplete": "name"}))
    display_name = User._meta.get_field("display_name").formfield(
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        validators=[validate_display_name])
    preferred_language = User._meta.get_field("preferred_language").formfield()

    def __init__(self, *args, user: User | None = None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_display_name(self):
        return _checked_display_name(self.cleaned_data.get("display_name", ""), self.user)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"), max_length=100,
        help_text=_("What the token is for, e.g. “data import script”."),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if ApiToken.objects.filter(user=self.user).active().count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                _("You have %(limit)d active tokens. Revoke one before creating another."),
                code="too_many_tokens", params={"limit": MAX_ACTIVE_TOKENS},
            )
        return cleaned


class AccountDeleteForm(forms.Form):
    delete_contributions = forms.BooleanField(
        label=_("Also delete my comments and posts that nobody has answered"), required=False,
        help_text=_("Everything else you wrote stays, shown as by a “former participant”, "
                    "because others have answered it or built on it."))
    password = forms.CharField(
        label=_("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that it is you who deletes the account."),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The password is not correct."), code="wrong_password")
        return password

