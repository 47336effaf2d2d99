"""The access log's chain moves from plain SHA-256 to HMAC-SHA-256 under
ACCESS_LOG_HMAC_KEY (issue #15, F8).

Rows written before are chained again under the key, as far as their SHA-256 chain
holds: from the first row that does not verify on, rows are left as they were, so
verify_access_log still names that row. Runs as the tables' owner (migrate), with
the append-only triggers off for its own transaction only.
"""

import hashlib
import hmac
from datetime import UTC

from django.conf import settings
from django.db import migrations

GENESIS_HASH = "0" * 64


def _content(row, prev_hash: str) -> str:
    # AccessLog.content_for_hash as of this migration.
    parts = [
        prev_hash,
        row.created_at.astimezone(UTC).isoformat(),
        str(row.user_id or ""),
        row.username,
        str(row.patient_id or ""),
        row.action,
        row.object_type,
        row.object_id,
        row.what,
        row.ip_address or "",
        row.user_agent,
    ]
    return "\x1f".join(parts)


def rechain(apps, schema_editor):
    AccessLog = apps.get_model("clinic", "AccessLog")
    connection = schema_editor.connection
    rows = AccessLog.objects.using(connection.alias).order_by("id")
    key = settings.ACCESS_LOG_HMAC_KEY.encode()
    old_prev, new_prev, changes = GENESIS_HASH, GENESIS_HASH, []
    for row in rows.iterator(chunk_size=2000):
        old = _content(row, row.prev_hash).encode()
        if row.prev_hash != old_prev or hashlib.sha256(old).hexdigest() != row.row_hash:
            break
        old_prev = row.row_hash
        new_hash = hmac.new(
            key, _content(row, new_prev).encode(), hashlib.sha256
        ).hexdigest()
        changes.append((new_prev, new_hash, row.pk))
        new_prev = new_hash
    if not changes:
        return
    table = connection.ops.quote_name(AccessLog._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.executemany(
            f"UPDATE {table} SET prev_hash = %s, row_hash = %s WHERE id = %s", changes
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_export_heartbeat"),
    ]

    operations = [
        migrations.RunPython(rechain, migrations.RunPython.noop, elidable=True),
    ]
