"""`siar web`: the web app for authors, reviewers, operators and admins."""

import os
from typing import Annotated, Any

import typer

from scheduler.cli.app import app
from scheduler.cli.state import AppState


@app.command("web")
def web_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(
        "--host", help="Alamat yang didengarkan (127.0.0.1: hanya mesin ini; 0.0.0.0: jaringan; "
                       "pasang di belakang HTTPS).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8080,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64,
        help="Proses server (satu per inti CPU untuk banyak pengguna sekaligus).")] = 1,
) -> None:
    """Jalankan aplikasi web (Tinjauan, Kalender, Unggahan, Tulis, Operasi, Pengguna)."""
    import uvicorn

    from scheduler.web.server import create_web_app

    state: AppState = ctx.obj
    application = state.app
    web = create_web_app(application)
    application.engine  # noqa: B018 (refuse an unprepared database before listening)
    application.catalog  # noqa: B018 (content errors show now, not on the first page)
    state.err.print(f"Siar web: http://{host}:{port}/ (Ctrl+C untuk berhenti)")
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "warning",
                               "proxy_headers": True, "server_header": False}
    if workers == 1:
        uvicorn.run(web, **options)
        return
    # Several processes: each builds the app from the same settings, passed through the
    # environment (the .env file and --now included).
    os.environ.update(state.settings.environ)
    uvicorn.run("scheduler.web.server:app_from_environment", factory=True, workers=workers,
                **options)
