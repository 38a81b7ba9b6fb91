"""anninh: the grassroots security movement's chatbot."""

__version__ = "0.1.0"

import os as _os

# python-telegram-bot 22 gives durations (RetryAfter.retry_after, …) as timedelta only when
# PTB_TIMEDELTA is set, and warns on every one otherwise. anninh always uses timedelta.
_os.environ.setdefault("PTB_TIMEDELTA", "1")
