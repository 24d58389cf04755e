"""Where results go: ClickHouse tables and alert notifiers."""
