"""The settings of the files the app keeps (``clinic/storage.py``), read from the
environment by ``clinic/settings.py``: a local folder in the embedded default,
one S3-compatible bucket in production.

"default" holds uploads (insurance card images), "exports" the files it writes for
download (report and bulk exports), which expire. STORAGE_BACKEND "local": folders
under var/ (the embedded default); "s3" (production's default): one S3-compatible
bucket (AWS_STORAGE_BUCKET_NAME), prefixes media/ and exports/, so every app and
worker host sees every file. Credentials come from boto3's usual chain
(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the host's role).
"""

from pathlib import Path

import environ


def _file_storage(
    env: environ.Env, backend: str, key_prefix: str, prefix: str, folder
) -> dict:
    if backend == "local":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder},
        }
    if backend != "s3":
        raise ValueError(f"STORAGE_BACKEND must be local or s3, not {backend}")
    # Imported only for S3: the embedded default never loads boto3.
    from boto3.s3.transfer import TransferConfig

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # "path" for MinIO and other servers without bucket host names.
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "location": "/".join(filter(None, [key_prefix, prefix])),
            # Objects stay private (no ACL: the bucket's policy rules); files reach
            # users only through the app's views, which check roles and log access.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            # Uploads part by part in this thread: boto3's default (10 threads,
            # each holding an 8 MB part) costs a bulk export ~80 MB of memory.
            "transfer_config": TransferConfig(use_threads=False),
            # Server-side encryption at rest (e.g. AES256 or aws:kms); "" for none.
            "object_parameters": (
                {"ServerSideEncryption": sse}
                if (sse := env.str("AWS_S3_SERVER_SIDE_ENCRYPTION", default=""))
                else {}
            ),
        },
    }


def storage_settings(env: environ.Env, *, embedded: bool, var_dir: Path) -> dict:
    """STORAGE_BACKEND, the folders and the "default" and "exports" storages."""
    backend = env.str("STORAGE_BACKEND", default="local" if embedded else "s3")
    # A prefix before media/ and exports/ (several installations in one bucket).
    key_prefix = env.str("AWS_S3_KEY_PREFIX", default="").strip("/")
    media_root = env.path("MEDIA_ROOT", default=var_dir / "media")
    export_root = env.path("EXPORT_ROOT", default=var_dir / "exports")
    return {
        "STORAGE_BACKEND": backend,
        "S3_KEY_PREFIX": key_prefix,
        "MEDIA_ROOT": media_root,
        "EXPORT_ROOT": export_root,
        "FILE_STORAGES": {
            "default": _file_storage(env, backend, key_prefix, "media", media_root),
            "exports": _file_storage(env, backend, key_prefix, "exports", export_root),
        },
    }
