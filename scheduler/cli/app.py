"""The `siar` Typer application: global options, and errors turned into clear messages."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from scheduler.cli.click_texts import indonesian_help_option, translated
from scheduler.cli.state import AppState
from scheduler.config import Settings, load_settings
from scheduler.errors import ConfigError, ContentError, SiarError

# Help placeholders in plain words, by option name (Typer would show `<list[str]>`).
PLACEHOLDERS = {
    "region": "WILAYAH", "platform": "PLATFORM", "stage": "TAHAPAN", "status": "STATUS",
    "election": "PEMILIHAN", "batch": "BATCH", "template": "TEMPLAT", "rule": "ATURAN",
    "date_from": "TANGGAL", "date_to": "TANGGAL", "since": "TANGGAL", "until": "TANGGAL",
    "on": "TANGGAL", "at": "WAKTU", "now": "WAKTU", "limit": "N", "as_user": "PENGGUNA",
    "note": "CATATAN", "text": "TEKS", "text_file": "BERKAS", "image": "GAMBAR",
    "env_file": "BERKAS", "output": "FORMAT", "role": "PERAN", "host": "ALAMAT",
    "port": "PORT", "workers": "N", "expiring_days": "HARI", "override": "ALASAN",
}


HELP_OPTION_NAMES = ["-h", "--help"]


def plain_placeholders(command: Any) -> None:
    """Give every option of `command` and its subcommands a placeholder people can read:
    a word from PLACEHOLDERS, nothing for a flag, the type's name in capitals otherwise;
    and an Indonesian line for the help option."""
    indonesian_help_option(command, HELP_OPTION_NAMES)
    for param in getattr(command, "params", []):
        if getattr(param, "is_flag", False):
            param.metavar = ""
            continue
        if param.param_type_name != "option":
            continue  # an argument is shown by its name already
        if param.metavar is None:
            choices = getattr(getattr(param, "type", None), "choices", None)
            param.metavar = ("|".join(str(c) for c in choices) if choices
                             else PLACEHOLDERS.get(param.name or "", "NILAI"))
    for sub in getattr(command, "commands", {}).values():
        plain_placeholders(sub)


class SiarGroup(TyperGroup):
    """Shows a SiarError as one clear message and exits with its code (no traceback)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_placeholders(self)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        return translated(lambda: super(SiarGroup, self).make_context(*args, **kwargs))

    def invoke(self, ctx: Any) -> Any:
        # The words after the global options, for the --now rule in main_options.
        words = [*(getattr(ctx, "_protected_args", None) or []), *ctx.args]
        ctx.meta["siar_words"] = [w for w in words if isinstance(w, str)]
        try:
            return translated(lambda: super(SiarGroup, self).invoke(ctx))
        except SiarError as exc:
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        finally:
            state = ctx.obj
            if isinstance(state, AppState):
                state.close()


def report_error(exc: SiarError) -> None:
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if isinstance(exc, ContentError):
        console.print(f"[bold red]Galat:[/] {len(exc.problems)} masalah pada konten/templat")
        for problem in exc.problems:
            console.print(f"  {escape(str(problem))}")
        return
    console.print(f"[bold red]Galat:[/] {escape(str(exc))}")


app = typer.Typer(
    cls=SiarGroup,
    name="siar",
    help="Siar: penjadwal unggahan sosialisasi KPU (Siar: schedules KPU public-information "
         "posts).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": HELP_OPTION_NAMES},
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version as package_version

        typer.echo(f"siar {package_version('siar')}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    ctx: typer.Context,
    now: Annotated[str | None, typer.Option(
        "--now", help="Anggap sekarang pukul ini (ISO 8601, waktu lokal bila tanpa offset), "
                      "untuk demo dan uji. Sama dengan SIAR_NOW.")] = None,
    env_file: Annotated[Path, typer.Option(
        "--env-file", help="Berkas .env yang dibaca (bila ada).")] = Path(".env"),
    version: Annotated[bool, typer.Option(
        "--version", help="Tampilkan versi Siar lalu keluar.", is_eager=True,
        callback=_print_version)] = False,
) -> None:
    overrides = {"SIAR_NOW": now} if now else {}
    try:
        settings = load_settings(env_file=env_file, overrides=overrides)
        refuse_pretend_time(settings, ctx.meta.get("siar_words", []))
    except SiarError as exc:
        report_error(exc)
        raise typer.Exit(exc.exit_code) from None
    ctx.obj = AppState(settings)


# Commands that only read: they may pretend another "now" freely.
READ_ONLY = frozenset({
    "stages", "preview", "posts", "history", "status", "check", "post show", "account list",
    "user list", "review list", "review show", "partners", "platforms",
})


def refuse_pretend_time(settings: Settings, words: list[str]) -> None:
    """A command that changes something acts at the real time unless the settings allow
    pretending (demos, tests): an event logged "at" a pretended instant would mislead."""
    if settings.now is None or settings.allow_now or not words:
        return
    command = " ".join(w for w in words[:2] if not w.startswith("-"))
    if command in READ_ONLY or words[0] in READ_ONLY or "--dry-run" in words or \
            "--help" in words or "-h" in words:
        return
    raise ConfigError(
        f"--now/SIAR_NOW ditolak untuk `siar {command}`, yang mengubah data: waktu pura-pura "
        "hanya untuk demo dan uji (setel SIAR_ALLOW_NOW=1 bila memang itu maksudnya)")
