"""Tools for the people who edit rule packs: lint, scenario tests, schemas, and pack diffs."""
