"""Every URL pattern × every kind of user × GET and POST has an expected outcome, and every page a user may open
shows what it should (a content marker: its heading, for the right council), not merely a 200.

Patterns come from the URLconf, so a new URL without an expectation, a rater outcome or a marker fails here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ["anon", "officer_a", "head_a", "councillor_a", "officer_b", "staff", "rater"]
LOGIN = "login"  # a redirect to the sign-in page
ADMIN_LOGIN = "admin-login"


def row(*codes):
    return dict(zip(ROLES[:-1], codes, strict=True))  # the rater's column is RATER below


# name: {"GET": row(...), "POST": row(...)}
EXPECTED = {
    "health": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(405, 405, 405, 405, 405, 405)},
    "favicon": {"GET": row(301, 301, 301, 301, 301, 301), "POST": row(405, 405, 405, 405, 405, 405)},
    "home": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "guidance": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:list": {"GET": row(LOGIN, 200, 200, 200, 200, 403), "POST": row(LOGIN, 405, 405, 405, 405, 403)},
    "assessments:new": {"GET": row(LOGIN, 200, 200, 403, 200, 403), "POST": row(LOGIN, 200, 200, 403, 200, 403)},
    "assessments:detail": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:section": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "assessments:key_area_flags": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 302, 302, 403, 404, 403)},
    "assessments:score_all": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:score_all_section": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:autosave": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 422, 422, 403, 404, 403)},
    "assessments:evidence": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "assessments:evidence_download": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:evidence_delete": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 302, 302, 403, 404, 403)},
    "assessments:history": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:submit": {"GET": row(LOGIN, 403, 200, 403, 404, 403), "POST": row(LOGIN, 403, 200, 403, 404, 403)},
    "assessments:reopen": {"GET": row(LOGIN, 403, 200, 403, 404, 403), "POST": row(LOGIN, 403, 200, 403, 404, 403)},
    "assessments:year_on_year": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:export": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "assessments:history_export": {"GET": row(LOGIN, 200, 200, 200, 200, 403), "POST": row(LOGIN, 405, 405, 405, 405, 403)},
    "assessments:import": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "assessments:import_confirm": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 302, 302, 403, 404, 403)},
    "actionplans:list": {"GET": row(LOGIN, 200, 200, 200, 200, 403), "POST": row(LOGIN, 405, 405, 405, 405, 403)},
    "actionplans:new": {"GET": row(LOGIN, 403, 200, 403, 403, 403), "POST": row(LOGIN, 403, 200, 403, 403, 403)},
    "actionplans:detail": {"GET": row(LOGIN, 200, 200, 200, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "actionplans:export": {"GET": row(LOGIN, 200, 200, 200, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "actionplans:gap": {"GET": row(LOGIN, 200, 200, 200, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "actionplans:version": {"GET": row(LOGIN, 200, 200, 200, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "actionplans:edit": {"GET": row(LOGIN, 403, 200, 403, 404, 403), "POST": row(LOGIN, 403, 200, 403, 404, 403)},
    "actionplans:add_key_areas": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 302, 302, 403, 404, 403)},
    "actionplans:publish": {"GET": row(LOGIN, 403, 302, 403, 404, 403), "POST": row(LOGIN, 403, 302, 403, 404, 403)},  # already published: back to it
    "actionplans:line_new": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:line_edit": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:goal_new": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:goal_edit": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:review_new": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:review_edit": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:consideration_new": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:consideration_edit": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:kpi_new": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:kpi_edit": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 200, 200, 403, 404, 403)},
    "actionplans:delete": {"GET": row(LOGIN, 200, 200, 403, 404, 403), "POST": row(LOGIN, 302, 302, 403, 404, 403)},
    "reports:dashboard": {"GET": row(LOGIN, 200, 200, 200, 200, 403), "POST": row(LOGIN, 405, 405, 405, 405, 403)},
    "reports:pdf": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "reports:pdf_status": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "reports:pdf_retry": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 302, 302, 403, 404, 302)},
    "reports:pdf_notify": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 302, 302, 403, 404, 302)},
    "reports:benchmark": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "ratings:raters": {"GET": row(LOGIN, 403, 200, 403, 404, 403), "POST": row(LOGIN, 403, 200, 403, 404, 403)},
    "ratings:withdraw": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 403, 302, 403, 404, 403)},
    "ratings:consolidation": {"GET": row(LOGIN, 403, 200, 403, 404, 403), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "ratings:consolidate": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 403, 404, 403, 404, 403)},
    "ratings:consolidate_weakest": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 403, 302, 403, 404, 403)},
    "ratings:response_sheet": {"GET": row(LOGIN, 200, 200, 403, 404, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    # Only the invited rater may open an invitation; everyone else is told nothing.
    "ratings:rate": {"GET": row(LOGIN, 404, 404, 404, 404, 404), "POST": row(LOGIN, 404, 404, 404, 404, 404)},
    # The invitation e-mail's link: public by design, the token is the credential; a wrong one changes nothing.
    "ratings:invitation_accept": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(200, 200, 200, 200, 200, 200)},
    "maturity:list": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "maturity:detail": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "maturity:upload": {"GET": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200), "POST": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)},
    # Django's auth views: public by design.
    "login": {"GET": row(200, 302, 302, 302, 302, 302), "POST": row(200, 302, 302, 302, 302, 302)},
    "logout": {"GET": row(405, 405, 405, 405, 405, 405), "POST": row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)},
    "password_change": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 200, 200, 200, 200, 200)},
    "password_change_done": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "password_reset": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(200, 200, 200, 200, 200, 200)},
    "password_reset_done": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(405, 405, 405, 405, 405, 405)},
    "password_reset_confirm": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(200, 200, 200, 200, 200, 200)},
    "password_reset_complete": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(405, 405, 405, 405, 405, 405)},
    # allauth's names for Django's own pages (its code reverses these)
    "account_login": {"GET": row(200, 302, 302, 302, 302, 302), "POST": row(200, 302, 302, 302, 302, 302)},
    "account_logout": {"GET": row(405, 405, 405, 405, 405, 405), "POST": row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)},
    "account_change_password": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 200, 200, 200, 200, 200)},
    # Sign-in (django-allauth): a second factor, re-authentication, sessions; each council's single sign-on
    "account_reauthenticate": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 200, 200, 200, 200, 200)},
    "account_inactive": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(405, 405, 405, 405, 405, 405)},
    "admin_login_redirect": {"GET": row(LOGIN, 403, 403, 403, 403, 302), "POST": row(LOGIN, 403, 403, 403, 403, 302)},
    "mfa_index": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    # Setting up or changing a second factor asks for the password again first (a redirect to re-authenticate).
    "mfa_activate_totp": {"GET": row(LOGIN, 302, 302, 302, 302, 302), "POST": row(LOGIN, 302, 302, 302, 302, 302)},
    "mfa_deactivate_totp": {"GET": row(LOGIN, 404, 404, 404, 404, 404), "POST": row(LOGIN, 404, 404, 404, 404, 404)},  # none to remove
    "mfa_generate_recovery_codes": {"GET": row(LOGIN, 302, 302, 302, 302, 302), "POST": row(LOGIN, 302, 302, 302, 302, 302)},
    "mfa_view_recovery_codes": {"GET": row(LOGIN, 404, 404, 404, 404, 404), "POST": row(LOGIN, 405, 405, 405, 405, 405)},  # none made yet
    "mfa_download_recovery_codes": {"GET": row(LOGIN, 404, 404, 404, 404, 404), "POST": row(LOGIN, 404, 404, 404, 404, 404)},
    # The code asked for after a password: only in the middle of a sign-in; otherwise back to the sign-in page.
    "mfa_authenticate": {"GET": row(LOGIN, 302, 302, 302, 302, 302), "POST": row(LOGIN, 302, 302, 302, 302, 302)},
    "mfa_reauthenticate": {"GET": row(LOGIN, 302, 302, 302, 302, 302), "POST": row(LOGIN, 302, 302, 302, 302, 302)},
    "usersessions_list": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 302, 302, 302, 302, 302)},  # signs out the others
    # A council without single sign-on has no provider: nothing to start or return to.
    "openid_connect_login": {"GET": row(404, 404, 404, 404, 404, 404), "POST": row(404, 404, 404, 404, 404, 404)},
    "openid_connect_callback": {"GET": row(404, 404, 404, 404, 404, 404), "POST": row(404, 404, 404, 404, 404, 404)},
    "socialaccount_login_cancelled": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(405, 405, 405, 405, 405, 405)},
    "socialaccount_login_error": {"GET": row(401, 401, 401, 401, 401, 401), "POST": row(405, 405, 405, 405, 405, 405)},
    "signin:sso_start": {"GET": row(405, 405, 405, 405, 405, 405), "POST": row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)},
    "signin:account": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "signin:council": {"GET": row(LOGIN, 403, 200, 403, 403, 403), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "signin:members": {"GET": row(LOGIN, 403, 200, 403, 403, 403), "POST": row(LOGIN, 405, 405, 405, 405, 405)},
    "signin:member_remove": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 403, 302, 403, 403, 403)},
    # The read API: a key, never a session (401 for everyone signed in or not); read-only (405); its description public.
    "api:openapi-json": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(405, 405, 405, 405, 405, 405)},
    "api:openapi-view": {"GET": row(200, 200, 200, 200, 200, 200), "POST": row(405, 405, 405, 405, 405, 405)},
    "api:api-root": {"GET": row(404, 404, 404, 404, 404, 404), "POST": row(404, 404, 404, 404, 404, 404)},
    "api:frameworks": {"GET": row(401, 401, 401, 401, 401, 401), "POST": row(405, 405, 405, 405, 405, 405)},
    "api:objectives": {"GET": row(401, 401, 401, 401, 401, 401), "POST": row(405, 405, 405, 405, 405, 405)},
    "api:assessments": {"GET": row(401, 401, 401, 401, 401, 401), "POST": row(405, 405, 405, 405, 405, 405)},
    "api:key_areas": {"GET": row(401, 401, 401, 401, 401, 401), "POST": row(405, 405, 405, 405, 405, 405)},
    "api:scores": {"GET": row(401, 401, 401, 401, 401, 401), "POST": row(405, 405, 405, 405, 405, 405)},
    "api:plans": {"GET": row(401, 401, 401, 401, 401, 401), "POST": row(405, 405, 405, 405, 405, 405)},
    "api:plan": {"GET": row(401, 401, 401, 401, 401, 401), "POST": row(405, 405, 405, 405, 405, 405)},
    "api:kpis": {"GET": row(401, 401, 401, 401, 401, 401), "POST": row(405, 405, 405, 405, 405, 405)},
    "api:benchmarks": {"GET": row(401, 401, 401, 401, 401, 401), "POST": row(405, 405, 405, 405, 405, 405)},
    "api_keys:list": {"GET": row(LOGIN, 403, 200, 403, 403, 403), "POST": row(LOGIN, 403, 200, 403, 403, 403)},
    "api_keys:revoke": {"GET": row(LOGIN, 405, 405, 405, 405, 405), "POST": row(LOGIN, 403, 302, 403, 403, 403)},
    "assessments:deadline": {"GET": row(LOGIN, 403, 200, 403, 404, 403), "POST": row(LOGIN, 403, 302, 403, 404, 403)},
    "reminders:preferences": {"GET": row(LOGIN, 200, 200, 200, 200, 200), "POST": row(LOGIN, 200, 200, 200, 200, 200)},
    # The one-click unsubscribe link: public by design, the signed token is the credential; a wrong one changes nothing.
    "reminders:unsubscribe": {"GET": row(404, 404, 404, 404, 404, 404), "POST": row(404, 404, 404, 404, 404, 404)},
    "admin:index": {"GET": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200), "POST": row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)},
}

# The invited rater (of key area 1 of Alpha's draft): their invitation, the public pages and their own account;
# nothing of the council's (403 for council-wide pages, 404 for its objects: they learn nothing of what exists).
RATER = {
    "health": (200, 405),
    "favicon": (301, 405),
    "home": (200, 405),
    "guidance": (200, 405),
    "assessments:list": (403, 403),
    "assessments:new": (403, 403),
    "assessments:detail": (404, 405),
    "assessments:section": (404, 404),
    "assessments:key_area_flags": (405, 404),
    "assessments:score_all": (404, 405),
    "assessments:score_all_section": (404, 405),
    "assessments:autosave": (405, 404),
    "assessments:evidence": (404, 404),
    "assessments:evidence_download": (404, 405),
    "assessments:evidence_delete": (405, 404),
    "assessments:history": (404, 405),
    "assessments:submit": (404, 404),
    "assessments:reopen": (404, 404),
    "assessments:year_on_year": (404, 405),
    "assessments:export": (404, 405),
    "assessments:history_export": (403, 403),
    "assessments:import": (404, 404),
    "assessments:import_confirm": (405, 404),
    "actionplans:list": (403, 403),
    "actionplans:new": (403, 403),
    "actionplans:detail": (404, 405),
    "actionplans:export": (404, 405),
    "actionplans:gap": (404, 405),
    "actionplans:version": (404, 405),
    "actionplans:edit": (404, 404),
    "actionplans:add_key_areas": (405, 404),
    "actionplans:publish": (404, 404),
    "actionplans:line_new": (404, 404),
    "actionplans:line_edit": (404, 404),
    "actionplans:goal_new": (404, 404),
    "actionplans:goal_edit": (404, 404),
    "actionplans:review_new": (404, 404),
    "actionplans:review_edit": (404, 404),
    "actionplans:consideration_new": (404, 404),
    "actionplans:consideration_edit": (404, 404),
    "actionplans:kpi_new": (404, 404),
    "actionplans:kpi_edit": (404, 404),
    "actionplans:delete": (404, 404),
    "reports:dashboard": (403, 403),
    "reports:pdf": (404, 405),
    "reports:pdf_status": (404, 405),
    "reports:pdf_retry": (405, 404),
    "reports:pdf_notify": (405, 404),
    "reports:benchmark": (403, 405),
    "ratings:raters": (404, 404),
    "ratings:withdraw": (405, 404),
    "ratings:consolidation": (404, 405),
    "ratings:consolidate": (405, 404),
    "ratings:consolidate_weakest": (405, 404),
    "ratings:response_sheet": (404, 405),
    "ratings:rate": (200, 200),
    "ratings:invitation_accept": (200, 200),
    "maturity:list": (200, 405),
    "maturity:detail": (200, 405),
    "maturity:upload": (ADMIN_LOGIN, ADMIN_LOGIN),
    "login": (302, 302),
    "logout": (405, LOGIN),
    "password_change": (200, 200),
    "password_change_done": (200, 405),
    "password_reset": (200, 200),
    "password_reset_done": (200, 405),
    "password_reset_confirm": (200, 200),
    "password_reset_complete": (200, 405),
    "account_login": (302, 302),
    "account_logout": (405, LOGIN),
    "account_change_password": (200, 200),
    "account_reauthenticate": (200, 200),
    "account_inactive": (200, 405),
    "admin_login_redirect": (403, 403),
    "mfa_index": (200, 405),
    "mfa_activate_totp": (302, 302),
    "mfa_deactivate_totp": (404, 404),
    "mfa_generate_recovery_codes": (302, 302),
    "mfa_view_recovery_codes": (404, 405),
    "mfa_download_recovery_codes": (404, 404),
    "mfa_authenticate": (302, 302),
    "mfa_reauthenticate": (302, 302),
    "usersessions_list": (200, 302),
    "openid_connect_login": (404, 404),
    "openid_connect_callback": (404, 404),
    "socialaccount_login_cancelled": (200, 405),
    "socialaccount_login_error": (401, 405),
    "signin:sso_start": (405, LOGIN),
    "signin:account": (200, 405),
    "signin:council": (403, 405),
    "signin:members": (403, 405),
    "signin:member_remove": (405, 403),
    "api:openapi-json": (200, 405),
    "api:openapi-view": (200, 405),
    "api:api-root": (404, 404),
    "api:frameworks": (401, 405),
    "api:objectives": (401, 405),
    "api:assessments": (401, 405),
    "api:key_areas": (401, 405),
    "api:scores": (401, 405),
    "api:plans": (401, 405),
    "api:plan": (401, 405),
    "api:kpis": (401, 405),
    "api:benchmarks": (401, 405),
    "api_keys:list": (403, 403),
    "api_keys:revoke": (405, 403),
    "assessments:deadline": (404, 404),
    "reminders:preferences": (200, 200),
    "reminders:unsubscribe": (404, 404),
    "admin:index": (ADMIN_LOGIN, ADMIN_LOGIN),
}
for _name, (_get, _post) in RATER.items():
    EXPECTED[_name]["GET"]["rater"], EXPECTED[_name]["POST"]["rater"] = _get, _post

# What an allowed GET must show: text in the page ("{council}" is the user's own council), or the file type.
XLSX, PDF = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/pdf"
COUNCILS = {"officer_a": "Alpha Borough Council", "head_a": "Alpha Borough Council", "councillor_a": "Alpha Borough Council", "rater": "Alpha Borough Council", "officer_b": "Beta District Council"}
MARKERS = {
    "health": "ok", "home": "<h1 class=\"h2 mb-4\">{council}</h1>", "guidance": "How to assess",
    "assessments:list": "Assessments – {council}", "assessments:new": "Start an assessment for {council}",
    "assessments:detail": "Alpha Borough Council – NPS 2018 2024", "assessments:section": "Alpha Borough Council – NPS 2018 2024",
    "assessments:score_all": "Alpha Borough Council – NPS 2018 2024", "assessments:score_all_section": 'id="objective-1"', "assessments:evidence": "Evidence for 1.", "assessments:evidence_download": PDF,
    "assessments:history": "History of 1.", "assessments:submit": "Sign off NPS 2018 2024", "assessments:reopen": "Reopen NPS 2018 2023",
    "assessments:year_on_year": "Year on year: 2024 against 2023", "assessments:export": XLSX, "assessments:history_export": XLSX,
    "assessments:import": "Import scores from a spreadsheet",
    "actionplans:list": "Action plans – {council}", "actionplans:new": "Start an action plan for Alpha Borough Council", "actionplans:detail": "Improvement plan",
    "actionplans:export": XLSX, "actionplans:gap": "Gap view", "actionplans:version": "Improvement plan: version 1", "actionplans:edit": "Edit the plan", "actionplans:line_new": "Add a line to the plan",
    "actionplans:line_edit": "Engaging Councillors", "actionplans:goal_new": "Add a plan-wide goal", "actionplans:goal_edit": "Edit a plan-wide goal",
    "actionplans:review_new": "Add a progress and development record", "actionplans:review_edit": "Edit a progress and development record",
    "actionplans:consideration_new": "Add a delivery consideration", "actionplans:consideration_edit": "Edit a delivery consideration",
    "actionplans:kpi_new": "Add a KPI", "actionplans:kpi_edit": "On-contract spend", "actionplans:delete": "Delete the delivery consideration",
    "reports:dashboard": "{council}", "reports:pdf": "NPS 2018 2024 report (draft)", "reports:pdf_status": 'id="report-progress"', "reports:benchmark": "Benchmarking",
    "ratings:raters": "Independent ratings", "ratings:consolidation": "Consolidate the ratings", "ratings:response_sheet": XLSX,
    "ratings:rate": "Your ratings for Alpha Borough Council", "ratings:invitation_accept": "Choose your password",
    "maturity:list": "Frameworks", "maturity:detail": "National Procurement Strategy", "maturity:upload": "Load a framework from a file", "login": "Sign in",
    "password_change": "Change your password", "password_change_done": "Password changed", "password_reset": "Reset your password",
    "password_reset_done": "Check your e-mail", "password_reset_confirm": "This link has expired or has already been used", "password_reset_complete": "Your new password is set",
    "admin:index": "Site administration",
    "account_login": "Sign in", "account_change_password": "Change your password", "account_reauthenticate": "Confirm it is you",
    "account_inactive": "Account inactive", "mfa_index": "Second factor", "usersessions_list": "Where you are signed in",
    "socialaccount_login_cancelled": "Sign-in cancelled",
    "assessments:deadline": "Deadline for NPS 2018 2024", "reminders:preferences": "Reminders by e-mail",
    "api:openapi-json": '"openapi": "3.', "api:openapi-view": "swagger-ui", "api_keys:list": "API keys for {council}",
    "signin:account": "Your account", "signin:council": "How {council} signs in", "signin:members": "Members of {council}",
}


def marker_problem(name, role, response):
    """None if the page shows what it should, else what is wrong."""
    marker = MARKERS[name]
    if marker in (XLSX, PDF):
        return None if response["Content-Type"].startswith(marker) else f"a {response['Content-Type']} file, not {marker}"
    if name == "home" and role in ("staff", "rater"):  # no council of their own: a welcome (and the rater their invitation)
        marker = "Welcome"
    marker = marker.replace("{council}", COUNCILS.get(role, ""))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return None if marker.encode() in body else f"no {marker!r} in the page"


def all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def project_url_names():
    # Django admin's own pages (model changelists etc.) all sit behind admin login; admin:index stands for them.
    return sorted({name for name, _ in all_url_names() if not (name.startswith("admin:") and name != "admin:index")})


def test_every_url_pattern_has_an_expectation():
    missing = [name for name in project_url_names() if name not in EXPECTED]
    assert not missing, f"add these URLs to EXPECTED: {missing}"
    assert not [name for name in EXPECTED if name not in RATER], "add the invited rater's outcome to RATER"
    assert not [name for name in EXPECTED if 200 in EXPECTED[name]["GET"].values() and name not in MARKERS], "add what the page shows to MARKERS"


@pytest.fixture
def people(officer, head, councillor, other_officer, staff, rater):
    return {"anon": None, "officer_a": officer, "head_a": head, "councillor_a": councillor, "officer_b": other_officer, "staff": staff, "rater": rater}


def draft_evidence(draft):
    """A file on objective 1 of the draft; a fresh one each time, so one role's delete leaves one for the next."""
    from django.core.files.base import ContentFile

    from assessments.models import Evidence

    evidence = Evidence(score=draft.scores.get(objective__number=1), title="Cabinet report", kind="pdf", size=9, original_name="report.pdf")
    evidence.file.save("report.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return evidence


def fresh_invitation(draft):
    """A new invitation each time, so that one role's withdrawal leaves one for the next."""
    from django.contrib.auth import get_user_model

    from councils.models import Membership
    from ratings.models import Invitation

    user = get_user_model().objects.create_user(f"invitee-{Invitation.objects.count()}-{get_user_model().objects.count()}")
    Membership.objects.create(user=user, council=draft.council, role=Membership.Role.RATER)
    return Invitation.objects.create(assessment=draft, rater=user, role_label="Commissioner")


def url_for(name, draft, submitted, plan, invitation=None):
    pattern = dict(all_url_names())[name]
    kwargs = {}
    if name == "ratings:rate":
        return reverse(name, args=[invitation.pk])
    if name == "ratings:withdraw":
        return reverse(name, args=[draft.pk, fresh_invitation(draft).pk])
    if name.startswith("actionplans:"):
        # A fresh item each time, so that one role's successful delete leaves something for the next.
        item = plan.considerations.create(description="Funding") if name == "actionplans:delete" else plan.considerations.first()
        values = {"pk": plan.pk, "line": plan.lines.first().pk, "kpi": plan.kpis.first().pk, "item": item.pk, "kind": "consideration", "version": 1}
        if name == "actionplans:review_edit":
            values["item"] = (plan.reviews.first() or plan.reviews.create(year=2024, progress="Category plans agreed")).pk
        if name == "actionplans:goal_edit":
            values["item"] = (plan.goals.first() or plan.goals.create(text="Increase maturity to between Developing and Mature (2–3)", level_from=2, level_to=3)).pk
    else:
        values = {"pk": (submitted if name == "assessments:reopen" else draft).pk, "number": 1, "code": "nps-2018"}
        if name.startswith("assessments:evidence_"):
            values["item"] = draft_evidence(draft).pk
    for key in pattern.pattern.converters:
        kwargs[key] = values.get(key)
    if name.startswith("openid_connect_"):
        kwargs = {"provider_id": draft.council.slug}
    if name.startswith("api:"):
        kwargs = {key: {"code": "nps-2018", "plan_id": plan.pk}[key] for key in pattern.pattern.converters}
    if name == "api_keys:revoke":
        from api.services import apikey_create

        kwargs = {"pk": apikey_create(council_id=draft.council_id, created_by_id=plan.owner_id, name="Power BI")[0].pk}
    if name == "signin:member_remove":
        kwargs = {"pk": fresh_invitation(draft).rater.membership.pk}
    if name == "reminders:unsubscribe":
        kwargs = {"token": "not-a-signed-token"}
    if name in ("password_reset_confirm", "ratings:invitation_accept"):
        kwargs = {"uidb64": "MQ", "token": "set-password"}
    return reverse(name, kwargs=kwargs)


def outcome(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.startswith(reverse("login")):
            return LOGIN
    return response.status_code


@pytest.mark.parametrize("name", [n for n in EXPECTED if n in project_url_names()])
def test_permission_matrix(client, people, draft, last_year, plan, invitation, name):
    got, want, shown = {}, {}, {}
    for role, user in people.items():
        for method in ("GET", "POST"):
            url = url_for(name, draft, last_year, plan, invitation)
            client.logout()
            if user:
                client.force_login(user)
            response = client.get(url) if method == "GET" else client.post(url, {})
            got[(role, method)] = outcome(response)
            want[(role, method)] = EXPECTED[name][method][role]
            if method == "GET" and response.status_code == 200:
                shown[role] = marker_problem(name, role, response)
    mismatches = {key: (got[key], want[key]) for key in want if got[key] != want[key]}
    assert not mismatches, f"{name} {url}: (got, expected) {mismatches}"
    wrong = {role: problem for role, problem in shown.items() if problem}
    assert not wrong, f"{name}: allowed, but the page is not what it should be: {wrong}"


def test_councillor_sees_submitted_assessments_but_not_drafts(client, councillor, draft, last_year):
    client.force_login(councillor)
    assert client.get(reverse("assessments:detail", args=[last_year.pk])).status_code == 200
    listing = client.get(reverse("assessments:list")).content.decode()
    assert "2023" in listing and "2024" not in listing
    page = client.get(reverse("assessments:section", args=[last_year.pk, 1])).content.decode()
    assert "<textarea" not in page and "Save this key area" not in page


def test_other_council_sees_none_of_our_assessments(client, other_officer, draft, last_year):
    client.force_login(other_officer)
    listing = client.get(reverse("assessments:list")).content.decode()
    assert "Alpha" not in listing and "2023" not in listing
    assert "Alpha" not in client.get(reverse("home")).content.decode()


# An invited rater sees their own invitation and nothing else of the council's.
RATER_ALLOWED = {"favicon", "reminders:preferences", "api:openapi-json", "api:openapi-view", *(f"api:{n}" for n in ("frameworks", "objectives", "assessments", "key_areas", "scores", "plans", "plan", "kpis", "benchmarks")), "account_login", "account_logout", "account_change_password", "account_reauthenticate", "account_inactive", "mfa_index", "usersessions_list", "socialaccount_login_cancelled", "socialaccount_login_error", "signin:account", "mfa_activate_totp", "mfa_generate_recovery_codes", "mfa_authenticate", "mfa_reauthenticate", "signin:sso_start", "home", "health", "login", "logout", "password_change", "password_change_done", "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete", "maturity:list", "maturity:detail", "ratings:rate", "guidance", "ratings:invitation_accept"}


@pytest.mark.parametrize("name", [n for n in EXPECTED if n in project_url_names()])
def test_an_invited_rater_is_refused_everything_but_their_invitation(client, rater, draft, last_year, plan, invitation, name):
    client.force_login(rater)
    for method in ("GET", "POST"):
        url = url_for(name, draft, last_year, plan, invitation)
        response = client.get(url) if method == "GET" else client.post(url, {})
        if name in RATER_ALLOWED:
            assert outcome(response) != 500
        else:
            assert outcome(response) in (403, 404, 405, ADMIN_LOGIN), (name, method, outcome(response))


@pytest.mark.parametrize("who", ["officer_a", "head_a", "councillor_a", "officer_b", "staff", "rater"])
def test_no_navigation_item_leads_to_a_refusal(client, people, rater, draft, last_year, plan, who):
    """Every link in the main navigation answers 200 for the person it is shown to."""
    import re

    client.force_login(rater if who == "rater" else people[who])
    page = client.get(reverse("home")).content.decode()
    nav = page[page.index('id="main-nav"') : page.index("</nav>")]
    links = [link for link in re.findall(r'href="([^"]+)"', nav) if not link.startswith("/admin/")]
    assert links
    for link in links:
        assert client.get(link).status_code == 200, (who, link)


ACCESS_MODULES = ["councils", "assessments", "actionplans", "ratings", "reports"]


@pytest.mark.parametrize("app", ACCESS_MODULES)
def test_access_imports_its_models_at_the_top_and_the_models_never_import_access(app):
    """No cycle between an app's access and models: access imports its models at module level (so statuses come
    from their enum, not typed by hand) and the models never reach for access, even inside a function."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / app
    access = ast.parse((root / "access.py").read_text())
    models = ast.parse((root / "models.py").read_text())
    nested = [node for fn in ast.walk(access) if isinstance(fn, ast.FunctionDef) for node in ast.walk(fn) if isinstance(node, ast.ImportFrom)]
    assert not [node.module for node in nested if node.module and node.module.endswith("models")], f"{app}/access.py imports models inside a function"
    if (root / "models.py").exists() and app != "reports":
        top = [node for node in access.body if isinstance(node, ast.ImportFrom)]
        assert any(node.module == "models" and node.level == 1 for node in top) or app == "councils", f"{app}/access.py does not import .models at the top"
    for node in ast.walk(models):
        if isinstance(node, ast.ImportFrom):
            assert not (node.module or "").endswith("access"), f"{app}/models.py imports access"
    source = (root / "access.py").read_text()
    assert '"submitted"' not in source and '"draft"' not in source, f"{app}/access.py types a status by hand"


def test_no_view_raises_permission_denied_itself():
    """Refusals come from the access modules (and the read-only admin), never from a view."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = [str(path.relative_to(root)) for path in root.glob("*/views*.py") if "PermissionDenied" in path.read_text()]
    offenders += [str(path.relative_to(root)) for path in root.glob("*/views/*.py") if "PermissionDenied" in path.read_text()]
    assert not offenders, offenders


def test_templates_ask_capabilities_not_roles():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    offenders = [str(path) for path in root.rglob("*.html") if any(word in path.read_text() for word in ("membership.role", "user.is_staff", "membership.is_head", "membership.can_edit", "'councillor'"))]
    assert not offenders, offenders
