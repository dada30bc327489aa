"""The spaCy pipeline: loading, kg's components, entity rulers, toponyms and name resolution."""

from kg.nlp import extensions  # noqa: F401  (any use of the pipeline package registers kg's Doc extensions)
