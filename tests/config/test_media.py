"""Private uploads are never served as plain media, however the path is spelled (issue 10, finding 1)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context

from tests.conftest import HUB_A, HUB_B

pytestmark = pytest.mark.django_db

HOSTS = {"a": HUB_A, "b": HUB_B}


def _spellings(schema: str, folder: str, name: str) -> list[str]:
    base = f"/media/{schema}"
    return [
        f"{base}/{folder}/{name}",
        f"{base}/./{folder}/{name}",
        f"{base}/%2e/{folder}/{name}",
        f"{base}/%2E/{folder}/{name}",
        f"{base}/x/../{folder}/{name}",
        f"{base}/x/%2e%2e/{folder}/{name}",
        f"{base}/%252e/{folder}/{name}",  # double encoding reaches the view as a literal "%2e"
        f"{base}/x/%252e%252e/{folder}/{name}",
        f"{base}//{folder}/{name}",
        f"{base}/{folder}/./{name}",
        f"{base}/{folder}//{name}",
        f"{base}/images/../{folder}/{name}",
        f"{base}/images/..%2f{folder}/{name}",
        f"{base}/images/..%5c{folder}/{name}",
    ]


@pytest.mark.parametrize("which", ["a", "b"])
@pytest.mark.parametrize("folder", ["private/filings", "documents"])
def test_private_files_are_refused_however_the_path_is_spelled(client, hub_a, hub_b, which, folder):
    hub = {"a": hub_a, "b": hub_b}[which]
    spec = HOSTS[which]
    with tenant_context(hub):
        name = default_storage.save(f"{folder}/charter.pdf", ContentFile(b"%PDF-1.4 secret"))
        public = default_storage.save("images/logo.png", ContentFile(b"\x89PNG public"))
    try:
        stored = name.rsplit("/", 1)[1]
        for url in _spellings(spec["schema_name"], folder, stored):
            response = client.get(url, HTTP_HOST=spec["domain"])
            assert response.status_code == 404, url
        # A public image is still served, and only on its own hub's host.
        assert client.get(f"/media/{spec['schema_name']}/{public}", HTTP_HOST=spec["domain"]).status_code == 200
        other = HUB_B if which == "a" else HUB_A
        assert client.get(f"/media/{spec['schema_name']}/{public}", HTTP_HOST=other["domain"]).status_code == 404
    finally:
        with tenant_context(hub):
            default_storage.delete(name)
            default_storage.delete(public)
