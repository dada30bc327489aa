"""kg past one machine: ``kg extract`` and ``kg ingest`` on a Dask distributed cluster.

The inputs are split into shards (:mod:`kg.scale.shards`), each shard is one task that writes one N-Quads
part file (:mod:`kg.scale.worker`), and the client submits them with back-pressure, retries failed ones and
merges the reports in shard order (:mod:`kg.scale.run`). Dask itself is imported only when a run starts: kg
works without it installed.
"""
