"""Typer's own words in Indonesian, as far as they let us: the titles and hints
of Typer's help and error panels (module constants it reads when printing), the help
option's line, and the usage errors (rewritten as they pass through the `siar` group).

Usage lines ("Usage: siar posts [OPTIONS]") stay as Typer prints them.

Typer imports its printing module (typer.rich_utils, with Rich's Markdown and tables) only
when it prints help or an error, and so do we: a command that runs without either does
not pay for it (issue 11: a short command's start). Help is always built through a
context's `get_help` (the help option, a group without a command), and every error
leaves through `translated`; both set the texts first."""

import re
from collections.abc import Callable, Iterable
from typing import Any

import typer
from typer._click import exceptions as typer_errors  # Typer's own copy of Click's errors

RICH_TEXTS = {
    "ARGUMENTS_PANEL_TITLE": "Argumen",
    "OPTIONS_PANEL_TITLE": "Opsi",
    "COMMANDS_PANEL_TITLE": "Perintah",
    "ERRORS_PANEL_TITLE": "Galat",
    "ABORTED_TEXT": "Dibatalkan.",
    "RICH_HELP": "Coba [blue]'{command_path} {help_option}'[/] untuk bantuan.",
    "DEFAULT_STRING": "[bawaan: {}]",
    "ENVVAR_STRING": "[variabel lingkungan: {}]",
    "REQUIRED_LONG_STRING": "[wajib]",
    "DEPRECATED_STRING": "(usang) ",
}

HELP_OPTION_TEXT = "Tampilkan bantuan ini lalu keluar."

# Typer's usage messages without a class of their own: English pattern -> Indonesian.
_USAGE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Missing command\.?"), "Perintah belum disebut."),
    (re.compile(r"No such command '(.+?)'\.(?: Did you mean (.+)\?)?"),
     r"Perintah tidak dikenal: \1.<suggest:\2>"),
    (re.compile(r"Option '(.+)' requires an argument\.?"), r"Opsi '\1' memerlukan nilai."),
    (re.compile(r"Option '(.+)' requires (\d+) arguments\.?"), r"Opsi '\1' memerlukan \2 nilai."),
    (re.compile(r"Option '(.+)' does not take a value\.?"), r"Opsi '\1' tidak menerima nilai."),
    (re.compile(r"Got unexpected extra argument(?:\(s\)|s)? \((.+)\)"), r"Argumen berlebih: \1."),
]

# What a value was wrong about (Typer's conversions): English -> Indonesian.
_VALUE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Input should be a valid integer.*"), "harus berupa bilangan bulat."),
    (re.compile(r"Input should be a valid number.*"), "harus berupa angka."),
    (re.compile(r"Input should be a valid boolean.*"), "harus ya atau tidak."),
    (re.compile(r"Input should be greater than or equal to (.+)"), r"paling kecil \1."),
    (re.compile(r"Input should be greater than (.+)"), r"harus lebih besar dari \1."),
    (re.compile(r"Input should be less than or equal to (.+)"), r"paling besar \1."),
    (re.compile(r"Input should be less than (.+)"), r"harus lebih kecil dari \1."),
    (re.compile(r"Value '(.*)' is not a valid (.+)\."), r"'\1' bukan \2 yang sah."),
    (re.compile(r"'(.*)' is not one of (.+)\."), r"'\1' bukan salah satu dari \2."),
    (re.compile(r"(?:File|Path|Directory) '(.+)' does not exist\.?"), r"'\1' tidak ada."),
]
_SUGGEST = re.compile(r"<suggest:(.*)>")


def use_indonesian_texts() -> None:
    """Set Typer's panel titles and hints (read by Typer each time it prints)."""
    from typer import rich_utils  # only when something is printed (see above)

    for name, text in RICH_TEXTS.items():
        setattr(rich_utils, name, text)


class IndonesianContext(typer.Context):
    """A context whose help is printed with the Indonesian texts."""

    def get_help(self) -> str:
        use_indonesian_texts()
        return super().get_help()


def indonesian_help_option(command: Any, names: list[str]) -> None:
    """Give `command`'s help option (Typer builds and caches it) an Indonesian line and no
    placeholder, and its help the Indonesian texts (IndonesianContext)."""
    command.context_class = IndonesianContext
    ctx = typer.Context(command, help_option_names=names)
    option = command.get_help_option(ctx)
    if option is not None:
        option.help = HELP_OPTION_TEXT
        option.metavar = ""


def _translate(text: str, table: Iterable[tuple[re.Pattern[str], str]]) -> str | None:
    for pattern, replacement in table:
        if pattern.fullmatch(text.strip()):
            done = pattern.sub(replacement, text.strip())
            return _SUGGEST.sub(lambda m: _suggest(
                [w.strip(" '") for w in m.group(1).split(",") if w.strip(" '")]), done)
    return None


def _suggest(possibilities: list[str] | None) -> str:
    if not possibilities:
        return ""
    return " Mungkin maksud Anda: " + ", ".join(sorted(possibilities)) + "?"


def _hint(exc: typer_errors.BadParameter) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint
        return " / ".join(f"'{h}'" for h in hint) if not isinstance(hint, str) else hint
    if exc.param is not None:
        return str(exc.param.get_error_hint())
    return ""


def _missing(exc: typer_errors.MissingParameter) -> str:
    kind = exc.param_type or (exc.param.param_type_name if exc.param else "parameter")
    word = {"argument": "Argumen", "option": "Opsi"}.get(kind, "Parameter")
    hint = _hint(exc)
    return f"{word} {hint} wajib diisi." if hint else f"{word} wajib diisi."


def indonesian_message(exc: typer_errors.UsageError) -> str | None:
    """The Indonesian message for a usage error, or None to keep Typer's."""
    if isinstance(exc, typer_errors.NoSuchOption):
        possible = list(exc.possibilities) if exc.possibilities else None
        return f"Opsi tidak dikenal: {exc.option_name}.{_suggest(possible)}"
    if isinstance(exc, typer_errors.MissingParameter):
        return _missing(exc)
    if isinstance(exc, typer_errors.BadParameter):
        reason = _translate(exc.message, _VALUE) or exc.message
        hint = _hint(exc)
        return f"Nilai tidak sah untuk {hint}: {reason}" if hint else f"Nilai tidak sah: {reason}"
    return _translate(exc.message, _USAGE)


def translated(call: Callable[[], Any]) -> Any:
    """Run `call`; a usage error leaves it in Indonesian, with its context (so Typer still
    prints the usage line and the help hint) and its exit code 2. Any error Typer prints
    leaves with the Indonesian texts set."""
    try:
        return call()
    except typer_errors.UsageError as exc:
        use_indonesian_texts()
        if isinstance(exc, typer_errors.NoArgsIsHelpError):  # Typer prints the help for it
            raise
        message = indonesian_message(exc)
        if message is None:
            raise
        raise typer_errors.UsageError(message, ctx=exc.ctx) from None
    except (typer_errors.ClickException, typer.Abort, EOFError):
        use_indonesian_texts()  # Typer prints it in its error panel
        raise
