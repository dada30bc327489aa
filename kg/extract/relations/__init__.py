"""Relations between actors and places, from role nouns and clause patterns."""
