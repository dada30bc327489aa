"""The ontology classes kg gives entities, grouped as the extractors and scorers need them (local names)."""

from __future__ import annotations

LOCATION_CLASSES = frozenset({"Country", "AdministrativeArea", "Settlement", "Facility", "NaturalFeature", "Area"})
ORGANIZATION_CLASSES = frozenset({"Organization", "ArmedGroup", "SecurityForce", "GovernmentBody", "PoliticalGroup",
                                  "InternationalOrganization", "MediaOrganization", "State"})
POPULATION_CLASSES = frozenset({"Population"})
ENTITY_CLASSES = LOCATION_CLASSES | ORGANIZATION_CLASSES | POPULATION_CLASSES | {"Person"}
