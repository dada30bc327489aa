"""Facts off the parse: entities, mentions, events, policies, statements and relations."""
