"""Analytics over conversations: working-time arithmetic, response times, unanswered
messages, per-chat advice and SPIN question stages (docs/ANALYTICS.md has the exact
definitions). Pure code: the rows come in as plain tuples from `services/reports`."""
