"""Repository-level pytest configuration. The payconform plugin loads through its entry point."""
