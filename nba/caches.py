"""How many pure results (dues, renewal stages, date phrases, declined names) an engine remembers across accounts."""

#: Entries each of an engine's `functools.lru_cache`s holds: a morning run repeats a few thousand dues, stages
#: and phrases, and a full cache holds a few MiB, so memory stays bounded even when as-of changes every call.
CACHE_SIZE = 20_000
