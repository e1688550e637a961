"""Layer 6, cassettes: vcrpy glue, the record and replay lanes built on the live lane, cassette
lint, drift and documented-example cassettes."""
