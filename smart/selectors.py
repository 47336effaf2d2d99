"""Reads of the smart app's pages."""

from django.db.models import Max, QuerySet

from clinic.models import AccessLog
from clinic.word_search import each_word
from smart.models import AccessToken, BackendClient, access_username

RECENT_ROWS = 20


def client_list(*, query: str = "", switched: str = "") -> QuerySet:
    """Clients by name, each with the time of its last token (``last_token_at``);
    ``switched`` is "on", "off" or "" for both."""
    clients = BackendClient.objects.annotate(last_token_at=Max("tokens__issued_at"))
    clients = each_word(clients, query, "name__icontains", "client_id__istartswith")
    if switched in ("on", "off"):
        clients = clients.filter(is_active=switched == "on")
    return clients.order_by("name")


def client_recent_tokens(*, client: BackendClient) -> QuerySet:
    """The client's latest tokens: when issued, until when, for which scopes."""
    return AccessToken.objects.filter(client=client).order_by("-issued_at")[
        :RECENT_ROWS
    ]


def client_access_names(*, client: BackendClient) -> list[str]:
    """The access-log user names the client's reads were written under: one per
    name it has had (``smart.tokens.Grant.username``)."""
    names = set(client.history.values_list("name", flat=True)) | {client.name}
    return sorted(access_username(name) for name in names)


def client_recent_reads(*, client: BackendClient) -> QuerySet:
    """The client's latest rows in the PHI access log."""
    return (
        AccessLog.objects.filter(username__in=client_access_names(client=client))
        .select_related("patient")
        .order_by("-id")[:RECENT_ROWS]
    )
