"""The analyst's workbench: ``kg serve`` as a browser app, and ``kg report`` as one offline HTML file.

A Starlette app served by uvicorn over the embedded store (read-only) or a SPARQL endpoint: saved
queries as forms, a SPARQL editor and the SPARQL 1.1 protocol endpoint, a map on a basemap shipped in
the package (Natural Earth), the actor network, a timeline, and article and entity pages. The browser
libraries are vendored under ``static/vendor`` by ``tools/web/build.sh`` (licences beside them), so
nothing is fetched from the network.
"""
