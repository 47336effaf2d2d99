"""Providers' secret calendar-feed links."""

from scheduling.models import Provider


def provider_feed_reset(*, provider: Provider, actor) -> Provider:
    """A new secret feed URL; the old one stops working at once."""
    provider.feed_token = Provider.new_feed_token()
    provider._change_reason = "calendar feed link renewed"
    provider.save()
    return provider


def provider_feed_revoke(*, provider: Provider, actor) -> Provider:
    provider.feed_token = ""
    provider._change_reason = "calendar feed link revoked"
    provider.save()
    return provider
