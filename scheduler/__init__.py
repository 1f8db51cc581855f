"""Siar: schedules KPU offices' public-information posts (import name: scheduler).

The package is built in layers; a module imports only from its own layer and the layers
below it (tests/test_layers.py reads every import and fails on an arrow pointing up):

1. ground: what everything stands on and that knows nothing of how work is done: errors,
   settings, the stored model, the content model and its loading, the platform registry,
   clocks, local time and labels.
2. primitives: the tools services use: the database engine, the template sandbox and
   rendering, loading the catalog (content parsed, templates compiled), the checks, the
   platform adapters, slots and calendars.
3. services: what a user or a worker asks for: planning, review, publishing, accounts,
   users, history, results, partners.
4. runtime: what runs the services: the worker and its leader, the application object,
   setup and migrations, logging.
5. faces: the command line and the web app (thin: they call services, format results).

A module is in the layer of its longest prefix below.
"""

__version__ = "0.1.0"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ground", (
        "batch_gc", "busy", "clock", "config", "coltypes", "content", "errors", "event_details",
        "labels", "localtime", "models", "platforms", "plugins", "processes", "redact",
        "region_kinds", "secretbox", "session_file", "textfiles",
    )),
    ("primitives", (
        "adapters", "calendar", "catalog", "catalog_cache", "checks", "db", "import_format",
        "import_stash", "media", "postcontext", "preview_slots", "rendering", "rule_schedule",
        "sandbox", "slot_keys", "slot_steps", "slots", "template_facts", "template_platforms",
        "template_vars",
    )),
    ("services", (
        "account_tokens", "accounts", "calendar_counts", "calendar_view", "cli_sessions",
        "composing", "connecting", "content_check", "editing", "events", "filter_values",
        "heartbeat", "history", "importing", "instance", "ops_view", "page_choice",
        "partners_report", "permissions", "planning", "planning_activities", "planning_keys",
        "planning_parallel", "planning_rows", "planning_store", "planning_texts",
        "platform_info", "posts",
        "preview", "publishing", "results", "results_view", "review", "review_bulk",
        "review_queue", "review_view", "targets", "token_refresh", "token_warnings",
        "user_admin", "users", "websessions",
    )),
    ("runtime", ("app", "leader", "logs", "migrate", "migrations", "setup", "worker")),
    ("faces", ("__main__", "cli", "cli_loading", "web")),
)
