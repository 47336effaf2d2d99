"""Twilio's webhooks: inbound texts and delivery status. The only pages without
log-in; each request must carry a valid X-Twilio-Signature."""

from functools import wraps
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from alerts.outbox import delivery_status_record
from alerts.replies import inbound_sms_handle


def public_url(request) -> str:
    """The URL Twilio called. Behind a TLS-terminating proxy that is the https URL:
    TWILIO_WEBHOOK_BASE_URL when set, else what SECURE_PROXY_SSL_HEADER tells."""
    base = settings.TWILIO_WEBHOOK_BASE_URL
    if base:
        return base.rstrip("/") + request.get_full_path()
    return request.build_absolute_uri()


def twilio_signature_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        signature = request.headers.get("X-Twilio-Signature", "")
        validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
        if not (
            settings.TWILIO_AUTH_TOKEN
            and signature
            and validator.validate(public_url(request), request.POST, signature)
        ):
            return HttpResponseForbidden("Invalid Twilio signature")
        return view(request, *args, **kwargs)

    return wrapped


def twiml_message(text: str) -> HttpResponse:
    body = '<?xml version="1.0" encoding="UTF-8"?><Response>'
    if text:
        body += f"<Message>{escape(text)}</Message>"
    body += "</Response>"
    return HttpResponse(body, content_type="text/xml")


@login_not_required
@csrf_exempt
@require_POST
@twilio_signature_required
def inbound_sms(request):
    message = inbound_sms_handle(
        provider_id=request.POST.get("MessageSid", ""),
        from_number=request.POST.get("From", ""),
        to_number=request.POST.get("To", ""),
        body=request.POST.get("Body", ""),
        clinic=settings.CLINIC_NAME,
    )
    return twiml_message(message.reply)


@login_not_required
@csrf_exempt
@require_POST
@twilio_signature_required
def delivery_status(request):
    """Twilio's status callback for a message we sent (``?n=`` names our row)."""
    number = request.GET.get("n", "")
    delivery_status_record(
        provider_id=request.POST.get("MessageSid", ""),
        provider_status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
        notification_id=int(number) if number.isdigit() else None,
    )
    return HttpResponse(status=204)
