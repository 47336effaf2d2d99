"""Files the app keeps go through Django's storage API (issue #22): an S3 bucket in
production (here moto's S3 server, which ``make test`` starts), folders under var/
in the embedded default. Writes are whole or nothing, downloads stream from the
store, and expiry deletes from the store."""

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.urls import reverse
from django.utils import timezone

from clinic.models import ReportExport
from clinic.reports.exports import report_export_run, report_exports_sweep
from clinic.storage import CHUNK_BYTES, exports_storage, stored_file_writer
from tests.registration.factories import CoverageFactory, card_image

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


def _bucket_keys(prefix: str) -> list[str]:
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"],
        region_name=os.environ["AWS_S3_REGION_NAME"],
    )
    listing = s3.list_objects_v2(
        Bucket=os.environ["AWS_STORAGE_BUCKET_NAME"], Prefix=prefix
    )
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_production_settings_name_an_s3_storage_per_kind_of_file():
    env = {
        **{key: value for key, value in os.environ.items() if key != "STORAGE_BACKEND"},
        "DATABASE_URL": "postgres://app@127.0.0.1:1/clinicops",
        "AWS_STORAGE_BUCKET_NAME": "clinic-files",
        "AWS_S3_KEY_PREFIX": "north",
    }
    printed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "s = settings.STORAGES; print(s['default']['BACKEND'], "
            "s['default']['OPTIONS']['location'], s['exports']['OPTIONS']['location'], "
            "s['exports']['OPTIONS']['bucket_name'], s['exports']['OPTIONS']"
            "['default_acl'])",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "clinic.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "north/media",
        "north/exports",
        "clinic-files",
        "None",
    ], printed.stderr[-2000:]


@pytest.mark.django_db(transaction=True)
def test_an_export_is_written_to_the_bucket_downloaded_from_it_and_expired_from_it(
    admin_client, admin_user, s3_file_storages
):
    export = ReportExport.objects.create(
        requested_by=admin_user, report="access-log", format="csv"
    )
    assert report_export_run(export_id=export.pk) == "done"
    export.refresh_from_db()
    prefix = s3_file_storages["AWS_S3_KEY_PREFIX"]
    key = f"{prefix}/exports/{export.file_name}"
    assert _bucket_keys(prefix) == [key]

    response = admin_client.get(reverse("clinic:export-download", args=[export.pk]))
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.decode().rstrip("\n").endswith(export.sha256)
    assert response["Content-Length"] == str(len(body))
    assert response["Content-Type"] == "text/csv"

    export.expires_at = timezone.now()
    export.save()
    assert report_exports_sweep(timezone.now()) == 1
    assert _bucket_keys(prefix) == []
    gone = admin_client.get(reverse("clinic:export-download", args=[export.pk]))
    assert gone.status_code == 404


def test_a_card_lives_in_the_bucket_privately_and_streams_back_in_chunks(
    client, make_user, s3_file_storages
):
    # What the view streams is what was stored (uploads are checked on the form).
    picture = card_image("PNG") + os.urandom(3 * CHUNK_BYTES)
    coverage = CoverageFactory()
    coverage.card_front.save("front.png", ContentFile(picture))
    prefix = s3_file_storages["AWS_S3_KEY_PREFIX"]
    assert _bucket_keys(prefix) == [f"{prefix}/media/{coverage.card_front.name}"]
    acl = default_storage.bucket.Object(
        f"{prefix}/media/{coverage.card_front.name}"
    ).Acl()
    assert not [g for g in acl.grants if "AllUsers" in str(g["Grantee"].get("URI"))]

    client.force_login(make_user("Billing"))
    url = reverse("registration:coverage-card", args=[coverage.pk, "front"])
    response = client.get(url)
    chunks = list(response.streaming_content)
    assert len(chunks) > 1
    assert b"".join(chunks) == picture
    assert response["Content-Type"] == "image/png"


def test_a_card_missing_from_the_store_is_a_404_not_a_server_error(client, make_user):
    coverage = CoverageFactory()
    coverage.card_front.save("front.png", ContentFile(card_image("PNG")))
    default_storage.delete(coverage.card_front.name)
    client.force_login(make_user("Billing"))
    url = reverse("registration:coverage-card", args=[coverage.pk, "front"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_a_write_that_fails_midway_stores_nothing(backend, request, file_storage_env):
    request.getfixturevalue(f"{backend}_file_storages")
    storage = exports_storage()
    with pytest.raises(RuntimeError), stored_file_writer(storage, "half.csv") as out:
        out.write(b"When,Who\n")
        raise RuntimeError("the report failed")
    assert not storage.exists("half.csv")
    with stored_file_writer(storage, "whole.csv") as out:
        out.write(b"When,Who\n")
    with storage.open("whole.csv") as stored:
        assert stored.read() == b"When,Who\n"
    # A name already taken is never silently renamed and handed out as if new.
    with pytest.raises(FileExistsError), stored_file_writer(storage, "whole.csv"):
        pass
    assert storages["exports"] is storage
