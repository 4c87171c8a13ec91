"""allauth's OpenID Connect provider, with a `nonce` sent in every sign-in and kept in that sign-in's own state, so
an ID token minted for another sign-in is refused (allauth's provider checks `state`, issuer, audience and expiry,
but sends no nonce). Registered in place of allauth's class by SOCIALACCOUNT_PROVIDERS["openid_connect"]."""

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.utils.crypto import get_random_string


class CouncilProvider(OpenIDConnectProvider):
    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = get_random_string(32)
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        auth_params["nonce"] = nonce
        return super().redirect(request, process, next_url=next_url, data={**(data or {}), "nonce": nonce}, auth_params=auth_params, **kwargs)


provider_classes = [CouncilProvider]
