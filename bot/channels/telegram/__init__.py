"""The Telegram adapter (python-telegram-bot): dialog.py plays the flow runner's prompts;
join_requests.py asks a team's leader (or the commune's officers) to decide a join request;
alarm_live.py keeps a gong caller's message up to date with the count; cards.py posts a
report's card in the staff group and edits it (and the officers' copies on Telegram) in place
as the report changes. The rest of the Telegram code still lives in bot/ (app.py, replies.py,
telegram_sender.py, updates.py) and in the flows not yet moved to bot/dialog; it moves here as
they do."""
