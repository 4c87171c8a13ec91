"""Sign-in rules, pure: what an ID token must say before it may sign anyone in, how addresses compare, and who
needs a second factor. The adapters (single sign-on), the login form and the middleware call these; nothing else
decides them."""

import re
import unicodedata

DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")

NO_INVITATION = (
    "You signed in with your council account, but this service has no account for that address yet. "
    "Ask your head of procurement for an invitation, then sign in again."
)
WRONG_ORGANISATION = "That sign-in came from another organisation's directory, not this council's. Sign in with your council account."
NOT_CHECKED = "That sign-in could not be checked (it may be old or have been replayed). Start again from the sign-in page."
ADDRESS_NOT_COUNCILS = "That account's e-mail address is not one of the council's own domains ({domains}). Sign in with your council account."
ADDRESS_UNVERIFIED = "The sign-in service has not verified that account's e-mail address, so it cannot be used here."
AMBIGUOUS = "More than one account here has that e-mail address. Ask your head of procurement to sort it out, then sign in again."
PASSWORDS_OFF = "Your council signs in with its own account: use “Sign in with your council account” instead of a password."
LEFT_COUNCIL = "That account is no longer a member of this council. Ask your head of procurement if you still need access."


def normalise_email(address):
    """The form addresses are compared in: Unicode-normalised (NFKC), trimmed, case-folded."""
    return unicodedata.normalize("NFKC", address or "").strip().casefold()


def normalise_domain(domain):
    return normalise_email(domain).lstrip("@").rstrip(".")


def domain_problem(domain):
    if not DOMAIN.fullmatch(domain):
        return f"“{domain}” is not an e-mail domain: write it like leeds.gov.uk, one per line."
    return None


def email_of(claims):
    """The address an ID token vouches for: `email`, else Entra ID's `preferred_username` (the user principal name)
    when it is an address."""
    for claim in ("email", "preferred_username", "upn"):
        value = claims.get(claim)
        if isinstance(value, str) and "@" in value:
            return normalise_email(value)
    return ""


def sso_problem(*, claims, expected_issuer, tenant_id, domains, nonce):
    """Why these ID-token claims may not sign anyone in to this council, or None.

    The issuer must be the council's own; for Entra ID the tenant (`tid`) must be the council's tenant too; the
    `nonce` must be the one this browser's sign-in sent (a token from another sign-in is refused); the address must
    be in one of the council's domains and not marked unverified."""
    issuer = str(claims.get("iss", "")).rstrip("/")
    if issuer != expected_issuer.rstrip("/"):
        return WRONG_ORGANISATION
    if tenant_id and str(claims.get("tid", "")).lower() != tenant_id.lower():
        return WRONG_ORGANISATION
    if not nonce or claims.get("nonce") != nonce:
        return NOT_CHECKED
    address = email_of(claims)
    if not address or address.rpartition("@")[2] not in domains:
        return ADDRESS_NOT_COUNCILS.format(domains=", ".join(domains) or "none set")
    if claims.get("email_verified") is False or str(claims.get("email_verified")).lower() == "false":
        return ADDRESS_UNVERIFIED
    return None


def second_factor_required(*, is_staff, is_head, everyone):
    """Password sign-ins need a second factor for site staff, heads of procurement, and everyone in a council whose
    settings say so. (Single sign-on relies on the council's own provider for it.)"""
    return bool(is_staff or is_head or everyone)

NO_COUNCIL = "No council here signs in with that address's own account. Sign in with your username and password, or check the address."


def seconds_left(*, signed_in_at, now, length):
    """Seconds until a session that began at `signed_in_at` ends (a working day, `length` seconds, after signing in,
    however busy it has been since), or None for a session older than this rule (no note of its sign-in)."""
    if signed_in_at is None:
        return None
    return int(signed_in_at + length - now)
