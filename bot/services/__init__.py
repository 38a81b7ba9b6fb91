"""Domain rules. Services take and return plain data; they never import telegram."""
