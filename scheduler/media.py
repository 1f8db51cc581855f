"""Post images: storing uploads under SIAR_MEDIA_DIR, and the unguessable addresses
(/media/<token>/<path>) at which `siar web` serves them, so that Instagram and Threads
can fetch an image without anyone being able to list or guess the others.

The token is HMAC-SHA256 of the image's relative path, keyed by SIAR_SECRET_KEY or, when
that is empty, by a key derived from the database's instance id: the worker and the web
app compute the same addresses without sharing anything but the database."""

import hashlib
import hmac
import re
import secrets
from pathlib import Path
from urllib.parse import quote

from scheduler.errors import InputError, NotFoundError

UPLOAD_FOLDER = "unggahan"
MAX_IMAGE_BYTES = 8 * 1024 * 1024
TOKEN_LENGTH = 32  # hex characters of the HMAC: 128 bits
# What an upload may be, told by its first bytes (never by its name or declared type).
_MAGIC = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))
# What the media address serves: images only, whatever else the folder holds.
CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
                 "gif": "image/gif", "webp": "image/webp"}
_TOKEN = re.compile(rf"^[0-9a-f]{{{TOKEN_LENGTH}}}$")
_STORED = re.compile(rf"^{UPLOAD_FOLDER}/[A-Za-z0-9_-]{{20,64}}\.(?:jpg|png)$")


def signing_key(secret: str, instance_id: str) -> bytes | None:
    """The key media addresses are signed with; None when there is nothing to derive it
    from (no SIAR_SECRET_KEY and no instance id)."""
    if secret:
        base = b"secret:" + secret.encode()
    elif instance_id:
        base = b"instance:" + instance_id.encode()
    else:
        return None
    return hmac.new(base, b"siar media addresses v1", hashlib.sha256).digest()


def media_token(key: bytes, path: str) -> str:
    return hmac.new(key, path.encode(), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def media_address(key: bytes, path: str) -> str:
    """The site-relative address of an image: /media/<token>/<path>."""
    path = path.lstrip("/")
    return f"/media/{media_token(key, path)}/{quote(path)}"


def public_image_url(*, image: str, media_base_url: str, public_url: str, secret: str,
                     instance_id: str) -> str | None:
    """Where a platform fetches a post's image: under SIAR_MEDIA_BASE_URL when it is set,
    else at its signed address under SIAR_PUBLIC_URL; None when neither is known."""
    if media_base_url:
        return f"{media_base_url.rstrip('/')}/{image.lstrip('/')}"
    key = signing_key(secret, instance_id)
    if not public_url or key is None:
        return None
    return public_url.rstrip("/") + media_address(key, image)


def safe_relative(path: str) -> bool:
    """A plain relative path: no absolute start, no '..', no hidden or empty parts."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        return False
    return all(part and not part.startswith(".") for part in path.split("/"))


def served_file(media_dir: Path, key: bytes, token: str, path: str) -> tuple[Path, str]:
    """The file behind a media address and its content type; NotFoundError for a wrong
    token, an unsafe path, a non-image or a missing file (all look the same)."""
    missing = NotFoundError("gambar tidak ditemukan")
    if not _TOKEN.match(token) or not safe_relative(path):
        raise missing
    if not hmac.compare_digest(token, media_token(key, path)):
        raise missing
    content_type = CONTENT_TYPES.get(path.rsplit(".", 1)[-1].lower())
    if content_type is None:
        raise missing
    root = media_dir.resolve()
    file = (root / path).resolve()
    if not file.is_relative_to(root) or not file.is_file():  # a symlink out of the folder
        raise missing
    return file, content_type


def image_kind(data: bytes) -> str | None:
    """'jpg' or 'png' by the file's magic bytes; None for anything else."""
    return next((ext for magic, ext in _MAGIC if data.startswith(magic)), None)


def save_upload(media_dir: Path, data: bytes) -> str:
    """Store an uploaded image under media_dir/unggahan with a random name; return its
    path relative to media_dir (what a post's `image` holds)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise InputError(f"gambar terlalu besar: {len(data) / 1048576:.1f} MB "
                         f"(paling besar {MAX_IMAGE_BYTES // 1048576} MB)")
    kind = image_kind(data)
    if kind is None:
        raise InputError("berkas bukan gambar JPEG atau PNG")
    folder = media_dir / UPLOAD_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"{UPLOAD_FOLDER}/{secrets.token_urlsafe(24)}.{kind}"
    with (media_dir / relative).open("xb") as out:  # never over an existing file
        out.write(data)
    return relative


def stored_upload(media_dir: Path, relative: str) -> str:
    """An earlier upload named by a form (kept while the author corrects the form): only
    a file this module stored, and only if it is still there."""
    if not _STORED.match(relative) or not (media_dir / relative).is_file():
        raise InputError(f"gambar yang diunggah sebelumnya tidak ditemukan: {relative!r}; "
                         "unggah lagi")
    return relative
