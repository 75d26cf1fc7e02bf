"""Uploaded files kept between the steps of an import (upload, preview, save).

Each upload lives in a folder of its own under VAR_DIR/uploads/<kind>/<partnership id>/,
named by a random key, so another partnership's coordinator cannot reach it (its key is
looked up under the caller's own partnership only); the folder is removed after saving and
stale ones after a day.
"""

import re
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.http import Http404

KEY = re.compile(r"[0-9a-f]{32}")
STALE_SECONDS = 24 * 3600


def _folder(kind: str, partnership) -> Path:
    return settings.VAR_DIR / "uploads" / kind / str(partnership.pk)


def remove_stale(kind: str, partnership) -> None:
    folder = _folder(kind, partnership)
    if not folder.exists():
        return
    for entry in folder.iterdir():
        if entry.is_dir() and time.time() - entry.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(entry, ignore_errors=True)


def store(kind: str, partnership, upload) -> str:
    """Keep `upload` (keeping its suffix) and return its key; stale uploads go first."""
    remove_stale(kind, partnership)
    key = secrets.token_hex(16)
    folder = _folder(kind, partnership) / key
    folder.mkdir(parents=True)
    suffix = Path(upload.name).suffix.lower()
    with open(folder / f"upload{suffix}", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return key


def stored(kind: str, partnership, key: str) -> Path:
    """The stored upload of this partnership under `key`, or 404."""
    if not KEY.fullmatch(key or ""):
        raise Http404
    files = list((_folder(kind, partnership) / key).glob("upload.*"))
    if len(files) != 1:
        raise Http404
    return files[0]


def discard(kind: str, partnership, key: str) -> None:
    shutil.rmtree(_folder(kind, partnership) / key, ignore_errors=True)
