"""Layer 3, the rule engine: the suite's provider client, cases, checks and verdicts, the rule
catalog, and adapter judging."""
