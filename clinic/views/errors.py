import sys

from django.db import DatabaseError
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string

from clinic.middleware import unavailable_response


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """A database that stops answering mid-request is a 503, not a bug."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DatabaseError) and "connection" in str(exc).lower():
        return unavailable_response()
    return HttpResponseServerError(render_to_string("500.html"))
