"""Consumer code of the kind a user's own deploy scripts hold, each tested against the mock in tests/."""
