"""The server: search pages, a JSON API and the MCP endpoint over an exported index (see app.create_app)."""
