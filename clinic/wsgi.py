import os
import sys

from django.core.wsgi import get_wsgi_application


def _hide_gunicorn_banner() -> None:
    """gunicorn writes "Server: gunicorn" on every response and has no setting to
    leave it out; naming the server software only helps someone choose an exploit.
    Its response class is told to drop that header line (gunicorn is pinned in
    requirements.txt; tests/clinic/test_platform.py checks a real gunicorn)."""
    if "gunicorn" not in sys.modules:
        return
    from gunicorn.http import wsgi as gunicorn_wsgi

    response = gunicorn_wsgi.Response
    if getattr(response, "_clinicops_no_banner", False):
        return
    with_banner = response.default_headers

    def default_headers(self):
        return [line for line in with_banner(self) if not line.startswith("Server:")]

    response.default_headers = default_headers
    response._clinicops_no_banner = True


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
_hide_gunicorn_banner()
application = get_wsgi_application()
