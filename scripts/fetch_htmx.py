"""Fetch htmx (the web app's only third-party script) from the npm registry into
scheduler/web/static/vendor/, checked against a pinned SHA-256. It is not committed: the
web app is served from the package with no CDN, and works without it (every form posts
normally), so a machine without network only loses the partial page updates."""

import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "2.0.4"
URL = f"https://registry.npmjs.org/htmx.org/-/htmx.org-{VERSION}.tgz"
SHA256 = "a34988d1b9f005a458d593aa8d7486537cb878b8ac3b82703db1268983123ecc"
TARGET = Path(__file__).resolve().parent.parent / "scheduler/web/static/vendor/htmx.min.js"
STAMP = TARGET.with_suffix(".version")


def main() -> int:
    if TARGET.is_file() and STAMP.is_file() and STAMP.read_text().strip() == SHA256:
        return 0
    try:
        with urllib.request.urlopen(URL, timeout=60) as answer:
            data = answer.read()
    except OSError as error:
        print(f"htmx {VERSION} could not be fetched ({error}); the web app works without "
              "it, with full-page forms", file=sys.stderr)
        return 0
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        print(f"htmx {VERSION}: unexpected SHA-256 {digest}; not installed", file=sys.stderr)
        return 1
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile("package/dist/htmx.min.js")
        assert member is not None
        script = member.read()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(script)
    STAMP.write_text(SHA256 + "\n")
    print(f"htmx {VERSION} installed in {TARGET.parent}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
