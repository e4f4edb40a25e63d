"""Account pages: registration, confirmation, login, profile, API tokens, deletion."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from . import services
from .forms import (
    AccountDeleteForm,
    ApiTokenForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    RegistrationForm,
    ResendConfirmationForm,
    SetPasswordForm,
)
from .permissions import tokens_of


def _in_language(language: str, viewname: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(viewname, kwargs=kwargs or None)


def _remember_language(response, language: str):
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE,
                        max_age=settings.LANGUAGE_COOKIE_AGE)
    return response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self):
        # `next` wins; otherwise "Mein Bereich" in the language the person chose, and for the
        # coordination office its start page, the work queue (issue 14).
        user = self.request.user
        start = ("backoffice:dashboard" if user.is_coordination_office
                 else settings.LOGIN_REDIRECT_URL)
        return self.get_redirect_url() or _in_language(user.preferred_language, start)

    def form_valid(self, form):
        response = super().form_valid(form)
        return _remember_language(response, form.get_user().preferred_language)

    def form_invalid(self, form):
        unconfirmed = form.has_error("__all__", "email_unconfirmed")
        context = self.get_context_data(form=form, email_unconfirmed=unconfirmed)
        return self.render_to_response(context)


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@sensitive_post_parameters("password1", "password2")
def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = services.account_mail_wait(request, action="register",
                                          email=form.cleaned_data["email"])
        if wait is not None:
            return _too_many(request, "accounts/register.html", form, wait)
        # The same answer for a new address and one that has an account (its owner is told
        # by e-mail instead), so that the form does not tell who is registered.
        try:
            services.account_register(
                full_name=form.cleaned_data["full_name"], email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        except ValidationError as error:  # the display name, taken since the form checked
            _add_errors(form, error)
            return render(request, "accounts/register.html", {"form": form})
        return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal next to the field it names (the display name, by default)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            # The one constraint without a field is the display name's (unique in any case).
            form.add_error(field if field in form.fields else "display_name", errors)
    else:
        form.add_error("display_name", error)


def _too_many(request, template: str, form, wait: int):
    """The form again with a friendly error above it, as 429 with Retry-After."""
    minutes = max(1, -(-wait // 60))
    form.add_error(None, ngettext(
        "Too many attempts from here or for this address. Please try again in %(minutes)d "
        "minute.",
        "Too many attempts from here or for this address. Please try again in %(minutes)d "
        "minutes.", minutes) % {"minutes": minutes})
    response = render(request, template, {"form": form}, status=429)
    response["Retry-After"] = str(wait)
    return response


def register_done(request):
    return render(request, "accounts/register_done.html")


def confirm_email(request, token: str):
    """GET shows a button; POST confirms, so a mail scanner following links confirms nothing."""
    try:
        user = services.user_for_confirmation_token(token)
    except services.InvalidConfirmationToken as error:
        return render(request, "accounts/confirm_email_invalid.html",
                      {"expired": error.expired}, status=400)
    if request.method == "POST":
        services.account_confirm_email(user=user)
        messages.success(request, _("Your e-mail address is confirmed. You can log in now."))
        return redirect("accounts:login")
    return render(request, "accounts/confirm_email.html",
                  {"confirm_user": user, "already_confirmed": user.email_confirmed_at is not None})


def resend_confirmation(request):
    form = ResendConfirmationForm(request.POST or None,
                                  initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        services.account_resend_confirmation(email=form.cleaned_data["email"])
        messages.success(request, _("If an account with this address is waiting for confirmation, "
                                    "we have sent it a new link. Please check your inbox."))
        return redirect("accounts:login")
    return render(request, "accounts/resend_confirmation.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    # The e-mail is accounts/emails/password_reset_*.txt (PasswordResetForm.send_mail).
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        wait = services.account_mail_wait(self.request, action="password-reset",
                                          email=form.cleaned_data["email"])
        if wait is not None:
            return _too_many(self.request, self.template_name, form, wait)
        # Links in the e-mail use the configured address (SITE_URL, core.mail.render_mail),
        # never the request's Host header.
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        # form.save() is services.account_password_change; Django then keeps the session valid.
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


@login_required
def profile(request):
    user = request.user
    # The memberships partners keeps, through their relation to the person (accounts imports
    # no app above it).
    memberships = user.memberships.select_related("organisation").order_by("organisation__name")
    return render(request, "accounts/profile.html", {
        "memberships": memberships,
        "tokens": tokens_of(user).active(),
    })


@login_required
def profile_edit(request):
    user = request.user
    form = ProfileForm(request.POST or None, user=user, initial={
        "full_name": user.full_name, "display_name": user.display_name,
        "preferred_language": user.preferred_language})
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update_profile(user=user, by=user, **form.cleaned_data)
        except ValidationError as error:  # chosen by someone else since the form checked
            _add_errors(form, error)
            user.refresh_from_db()
            return render(request, "accounts/profile_edit.html", {"form": form})
        messages.success(request, _("Your profile has been saved."))
        language = user.preferred_language
        return _remember_language(redirect(_in_language(language, "accounts:profile")), language)
    return render(request, "accounts/profile_edit.html", {"form": form})


@never_cache
@login_required
def tokens(request):
    form = ApiTokenForm(request.POST or None, user=request.user)
    new_key = new_token = None
    if request.method == "POST" and form.is_valid():
        new_token, new_key = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], by=request.user)
        form = ApiTokenForm(user=request.user)
    return render(request, "accounts/tokens.html", {
        "form": form,
        "tokens": tokens_of(request.user).active(),
        "new_key": new_key,
        "new_token": new_token,
    })


@require_POST
@login_required
def token_revoke(request, pk: int):
    token = get_object_or_404(tokens_of(request.user).active(), pk=pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@sensitive_post_parameters("password")
@login_required
def delete(request):
    user = request.user
    blocking = services.organisations_blocking_deletion(user)
    form = AccountDeleteForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(
                user=user, by=user,
                delete_contributions=form.cleaned_data["delete_contributions"])
        except services.AccountDeletionRefused as refusal:
            blocking, status = refusal.organisations, 409
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("portal:home")
    return render(request, "accounts/delete.html", {"form": form, "blocking": blocking},
                  status=status)
