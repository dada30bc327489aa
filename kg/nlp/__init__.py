"""The spaCy pipeline: loading, kg's components, entity rulers, toponyms and name resolution."""
