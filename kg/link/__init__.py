"""Link entities to Wikidata: candidates, the linker, the shipped gazetteer, a Wikidata endpoint."""
