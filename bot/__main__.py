"""`python -m bot` is `anninh`."""

from bot.cli import main

raise SystemExit(main())
