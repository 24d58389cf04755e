"""Connectors turn a source (files, feeds, APIs, webhooks) into Mention records."""
