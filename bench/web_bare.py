"""The baseline of bench/web.py: the fastest honest way to serve the same rows as Siar's
pages. A bare ASGI app under the same uvicorn (one process, same settings as `siar web`)
whose endpoints run the equivalent SQL straight through sqlite3 and return the rows as a
plain HTML table: no sign-in, no ORM, no template engine, no per-request scope query (the
province's region keys are read once at start).

Like Siar's synchronous routes, each handler runs in the server's worker-thread pool, and
the Server-Timing header `app;dur=` measures the same span as Siar's middleware does.

    SIAR_BENCH_DB=siar.db python -m uvicorn bench.web_bare:app --port 8001
"""

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import anyio.to_thread

from scheduler.coltypes import utc_text

TZ = ZoneInfo(os.environ.get("SIAR_BENCH_TZ", "Asia/Jakarta"))
PAGE = 50  # rows on the posts list and the history page, as Siar's pages
BATCHES = 50  # batches on the review queue's first page
_local = threading.local()


def _connection() -> sqlite3.Connection:
    found: sqlite3.Connection | None = getattr(_local, "connection", None)
    if found is None:
        found = sqlite3.connect(os.environ["SIAR_BENCH_DB"], check_same_thread=False)
        found.execute("PRAGMA query_only=1")
        _local.connection = found
    return found


def _scope() -> tuple[str, tuple[str, ...]]:
    """`region_key IN (...)` for the province-wide reviewer, read once."""
    keys: tuple[str, ...] | None = getattr(_scope, "keys", None)
    if keys is None:
        keys = tuple(k for (k,) in _connection().execute(
            "SELECT key FROM region WHERE province_key = ("
            "SELECT key FROM region WHERE key = province_key LIMIT 1)"))
        _scope.keys = keys  # type: ignore[attr-defined]
    return f"region_key IN ({', '.join('?' * len(keys))})", keys


def _local_text(stored: str | None) -> str:
    if not stored:
        return ""
    return datetime.fromisoformat(stored).astimezone(TZ).strftime("%d-%m-%Y %H.%M")


def _table(title: str, head: tuple[str, ...], rows: list[tuple[Any, ...]]) -> tuple[int, bytes]:
    lines = [f"<!doctype html><title>{title}</title><h1>{title}</h1><table><thead><tr>",
             "".join(f"<th>{h}</th>" for h in head), "</tr></thead><tbody>"]
    lines += ["<tr>" + "".join(f"<td>{'' if v is None else escape(str(v))}</td>" for v in row)
              + "</tr>" for row in rows]
    lines.append("</tbody></table>")
    return len(rows), "".join(lines).encode()


def posts_list(_query: dict[str, list[str]]) -> tuple[int, bytes]:
    """/unggahan: the first page of posts in scope, in time order."""
    scope, keys = _scope()
    rows = _connection().execute(
        "SELECT id, scheduled_at, region_key, platform, status, problems, text FROM post "
        f"WHERE {scope} ORDER BY scheduled_at, id LIMIT ?", (*keys, PAGE + 1)).fetchall()
    shown = [(i, _local_text(at), region, platform, status, problems != "[]",
              text[:140]) for i, at, region, platform, status, problems, text in rows[:PAGE]]
    return _table("Unggahan", ("#", "Waktu", "Wilayah", "Platform", "Status", "Masalah",
                               "Teks"), shown)


def review_queue(_query: dict[str, list[str]]) -> tuple[int, bytes]:
    """/tinjauan: pending batches in scope, soonest first, with their counts."""
    scope, keys = _scope()
    rows = _connection().execute(
        "SELECT g.batch, g.first_at, g.posts, g.problems, g.regions, g.platforms, p.template, "
        "p.stage_key, p.text FROM (SELECT batch, MIN(scheduled_at) AS first_at, "
        "COUNT(*) AS posts, SUM(problems != '[]') AS problems, "
        "COUNT(DISTINCT region_key) AS regions, GROUP_CONCAT(DISTINCT platform) AS platforms, "
        f"MIN(id) AS first_id FROM post WHERE status = 'pending' AND {scope} GROUP BY batch) g "
        "JOIN post p ON p.id = g.first_id ORDER BY g.first_at, g.batch LIMIT ?",
        (*keys, BATCHES)).fetchall()
    shown = [(batch, _local_text(at), *rest[:6], text[:140])
             for batch, at, *rest, text in rows]
    return _table("Tinjauan", ("Batch", "Waktu", "Unggahan", "Masalah", "Wilayah", "Platform",
                               "Templat", "Tahapan", "Contoh"), shown)


def calendar_month(query: dict[str, list[str]]) -> tuple[int, bytes]:
    """/kalender?bulan=YYYY-MM: posts per local day and status in that month."""
    year, month = (int(part) for part in query.get("bulan", ["2024-02"])[0].split("-"))
    first = date(year, month, 1)
    after = date(year + month // 12, month % 12 + 1, 1)
    start, end = (utc_text(datetime(d.year, d.month, d.day, tzinfo=TZ)) for d in (first, after))
    offset = datetime(year, month, 1, tzinfo=TZ).utcoffset() or timedelta()
    shift = f"{int(offset.total_seconds())} seconds"
    scope, keys = _scope()
    rows = _connection().execute(
        "SELECT date(scheduled_at, ?) AS day, status, COUNT(*) FROM post "
        f"WHERE scheduled_at >= ? AND scheduled_at < ? AND {scope} "
        "GROUP BY day, status ORDER BY day, status", (shift, start, end, *keys)).fetchall()
    return _table("Kalender", ("Hari", "Status", "Unggahan"), rows)


def history(_query: dict[str, list[str]]) -> tuple[int, bytes]:
    """/operasi/riwayat: the newest posts in scope with history's columns."""
    scope, keys = _scope()
    rows = _connection().execute(
        "SELECT id, scheduled_at, published_at, region_key, platform, stage_key, status, "
        "attempts, published_via, platform_id, platform_url, last_error, text FROM post "
        f"WHERE {scope} ORDER BY scheduled_at DESC, id DESC LIMIT ?", (*keys, PAGE)).fetchall()
    shown = [(i, _local_text(at), _local_text(published), *rest[:-1], rest[-1][:140])
             for i, at, published, *rest in rows]
    return _table("Riwayat", ("#", "Terjadwal", "Terbit", "Wilayah", "Platform", "Tahapan",
                              "Status", "Percobaan", "Lewat", "ID", "Tautan", "Galat", "Teks"),
                  shown)


ROUTES: dict[str, Callable[[dict[str, list[str]]], tuple[int, bytes]]] = {
    "/unggahan": posts_list, "/tinjauan": review_queue, "/kalender": calendar_month,
    "/operasi/riwayat": history,
}


async def app(scope: dict[str, Any], receive: Callable[[], Any],
              send: Callable[[dict[str, Any]], Any]) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    started = time.perf_counter()
    handler = ROUTES.get(scope["path"])
    if handler is None:
        status, rows, body = 404, 0, b"not found"
    else:
        query = parse_qs(scope["query_string"].decode())
        status = 200
        rows, body = await anyio.to_thread.run_sync(handler, query)
    took = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), (b"server-timing", took.encode()),
        (b"x-rows", str(rows).encode())]})
    await send({"type": "http.response.body", "body": body})
