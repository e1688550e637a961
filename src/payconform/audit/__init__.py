"""Audits of the suite and of the contracts: simulator mutants per fact, contract mutants."""
