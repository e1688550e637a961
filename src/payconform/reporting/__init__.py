"""Layer 4, reporting: the run report (JSON schema, Markdown, HTML, terminal matrix) and the
monitoring history."""
