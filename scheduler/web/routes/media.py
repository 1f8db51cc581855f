"""Post images at unguessable addresses, /media/<token>/<path>, without signing in:
Instagram and Threads fetch them from here (SIAR_PUBLIC_URL). Only a path's own token
opens it; anything else is the same 404."""

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from scheduler.errors import ConfigError
from scheduler.instance import instance_id
from scheduler.media import served_file, signing_key
from scheduler.web.context import web_of

router = APIRouter()
CACHE = "public, max-age=3600"


def media_key(request: Request) -> bytes:
    """The key media addresses are signed with (the worker derives the same one)."""
    key: bytes | None = getattr(request.app.state, "media_key", None)
    if key is None:
        app = web_of(request).app
        secret = app.settings.secret_key
        key = signing_key(secret, "" if secret else instance_id(app.engine))
        if key is None:
            raise ConfigError("tidak ada kunci untuk alamat gambar: isi SIAR_SECRET_KEY")
        request.app.state.media_key = key
    return key


@router.api_route("/media/{token}/{path:path}", methods=["GET", "HEAD"])
def media_file(request: Request, token: str, path: str) -> Response:
    file, content_type = served_file(web_of(request).app.settings.media_dir,
                                     media_key(request), token, path)
    return FileResponse(file, media_type=content_type, headers={"Cache-Control": CACHE})
