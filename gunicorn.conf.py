"""Read by gunicorn from the working directory: the production profile's server settings.

The server does not announce itself: gunicorn's "Server: gunicorn" line is dropped from every response.
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _without_server(self):
    return [line for line in _default_headers(self) if not line.startswith("Server:")]


wsgi.Response.default_headers = _without_server
