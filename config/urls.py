from allauth.account import views as account_views
from allauth.socialaccount import views as socialaccount_views
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.api import api as read_api
from common.forms import ChangePasswordForm, NewPasswordForm
from config.accounts import QueuedPasswordResetView
from config.views import admin_login, favicon, health, login
from home.views import guidance, home
from signin import views as signin_views

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    # Browsers ask for /favicon.ico where a page names no icon (their PDF viewer, opening the report, does).
    path("favicon.ico", favicon, name="favicon"),
    path("guidance/", guidance, name="guidance"),
    path("accounts/login/", login, name="login"),
    path("accounts/login/", login, name="account_login"),  # allauth's name for the same page
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="account_logout"),  # allauth's name for Django's
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(form_class=ChangePasswordForm), name="account_change_password"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(form_class=NewPasswordForm), name="password_reset_confirm"),
    path("accounts/password_reset/", QueuedPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    # django-allauth: second factors, re-authentication, sessions, and each council's single sign-on
    path("accounts/2fa/totp/activate/", signin_views.activate_totp, name="mfa_activate_totp"),  # allauth's, noted in the session
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("accounts/reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("accounts/inactive/", account_views.account_inactive, name="account_inactive"),
    path("accounts/sessions/", include("allauth.usersessions.urls")),
    path("accounts/", include("allauth.socialaccount.providers.openid_connect.urls")),  # sso/<council>/login/…
    path("accounts/sso/cancelled/", socialaccount_views.login_cancelled, name="socialaccount_login_cancelled"),
    path("accounts/sso/error/", socialaccount_views.login_error, name="socialaccount_login_error"),
    path("accounts/", include("signin.urls")),
    path("frameworks/", include("maturity.urls")),
    path("assessments/", include("assessments.urls")),
    path("plans/", include("actionplans.urls")),
    path("", include("reports.urls")),
    path("", include("ratings.urls")),
    path("api/v1/", read_api.urls),
    path("", include("api.urls")),
    path("", include("reminders.urls")),
    path("admin/login/", admin_login, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
]

handler500 = "config.views.server_error"
