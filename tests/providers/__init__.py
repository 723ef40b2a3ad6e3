"""Provider tests: the contract suite against loopback fakes, secrets, HTTP rules, CLI."""
