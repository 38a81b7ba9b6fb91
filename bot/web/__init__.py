"""anninh's web server, served by `anninh run` when `[web]` is configured: the officers'
console (a session per officer, no passwords: a one-time link from the bot), its vendored
static files, and — with `[web] public_url` — the photos a messenger fetches by URL."""
