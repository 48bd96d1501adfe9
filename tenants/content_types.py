"""Content types cached per schema.

Django caches content types per database alias, but each schema numbers them its own way (id 1 is
tenants.hub in public, wagtailcore.page in a hub). django-tenants clears the whole cache on every
schema switch, which is enough for one thread, not for gunicorn's threaded workers: a thread serving
the platform can refill the process-wide cache with public ids between another thread's switch and its
lookup. Keying the cache by the current thread's schema as well closes that gap.
"""

from django.db import connections


class SchemaKeyedCache(dict):
    @staticmethod
    def _key(alias):
        return (alias, getattr(connections[alias], "schema_name", None))

    def __getitem__(self, alias):
        return super().__getitem__(self._key(alias))

    def __contains__(self, alias):
        return super().__contains__(self._key(alias))

    def get(self, alias, default=None):
        return super().get(self._key(alias), default)

    def setdefault(self, alias, default=None):
        return super().setdefault(self._key(alias), default)


def install() -> None:
    from django.contrib.contenttypes.models import ContentType

    if not isinstance(ContentType.objects._cache, SchemaKeyedCache):
        ContentType.objects._cache = SchemaKeyedCache()
