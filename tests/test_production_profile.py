"""gunicorn.conf.py, the production profile's server settings: no Server banner; the loaded app frozen out of the GC."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_a_worker_freezes_the_loaded_app_out_of_the_garbage_collector():
    conf = runpy.run_path(str(CONF))
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        conf["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 10_000  # the app's modules, settings and URL patterns, loaded by now
    finally:
        gc.unfreeze()


def test_responses_do_not_name_the_server():
    from gunicorn.http import wsgi

    runpy.run_path(str(CONF))

    class Response:  # what gunicorn's default_headers reads of a response (gunicorn's own writes "Server: gunicorn")
        version, status, chunked, headers = "HTTP/1.1", "200 OK", False, []

        def __init__(self):
            self.req = type("Req", (), {"version": (1, 1)})()
            self.cfg = type("Cfg", (), {"is_ssl": False})()

        def should_close(self):
            return False

        upgrade = False

    lines = wsgi.Response.default_headers(Response())
    assert any(line.startswith("Date:") for line in lines) and not any(line.startswith("Server:") for line in lines)
