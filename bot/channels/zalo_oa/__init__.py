"""The Zalo Official Account channel: our own OAuth and OA API client, the tokens of each
commune's OA, the signed webhook, and the conversation core behind them."""
