"""What the services (the oracle and the provider agent) share at run time: settings, JSON logs,
the loop, the log scanner, SQLite connections, canonical JSON, and the supervisor that starts
them as processes."""
