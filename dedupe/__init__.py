"""The fuzzy record-linkage engine: blocking -> pairwise scoring -> clustering -> merge.

No SQL, no HTTP: records in, clusters and merged records out. So far only the merge step
exists; until blocking, scoring and clustering land, each listing is its own cluster.
"""
