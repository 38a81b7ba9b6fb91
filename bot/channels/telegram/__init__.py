"""The Telegram adapter (python-telegram-bot). The rest of the Telegram code still lives in
bot/ (app.py, replies.py, telegram_sender.py, updates.py) and in the flows not yet moved to
bot/dialog; it moves here as they do."""
