"""Read by gunicorn from the working directory: the production profile's server settings.

The server does not announce itself: gunicorn's "Server: gunicorn" line is dropped from every response.
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _without_server(self):
    return [line for line in _default_headers(self) if not line.startswith("Server:")]


wsgi.Response.default_headers = _without_server


def post_worker_init(worker):
    """The app is loaded: its objects (modules, URL patterns, settings, about 200,000 of them) live as long as the
    worker, so the cyclic garbage collector is told not to walk them again. A full collection over them paused the
    request it fell on for about 80 ms (measured on the dashboard at national scale, docs/benchmarks.md)."""
    import gc

    gc.freeze()
