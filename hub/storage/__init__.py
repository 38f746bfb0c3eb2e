"""Every SQL statement of the hub: the schema and its migrations (`migrations`), the reads and
writes of the pipeline (`database`), a search in SQL (`search`) and the snapshot a response is
read from (`snapshot`). Open the database with `with Storage(path) as storage:`."""
from hub.storage.database import HttpCache, Storage
from hub.storage.migrations import SCHEMA_VERSION

__all__ = ["HttpCache", "SCHEMA_VERSION", "Storage"]
