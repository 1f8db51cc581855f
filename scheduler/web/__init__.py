"""The web app (`siar web`): server-rendered pages over the same services as the command
line. `server.create_web_app` assembles it; each module in `routes/` is one page's routes
and only calls services and renders templates; `context` holds what every route needs
(the signed-in viewer, CSRF, rendering)."""
