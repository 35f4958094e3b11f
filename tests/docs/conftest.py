import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def french_outside_requests():
    """A request in English leaves English active in the thread; page URLs built by a test
    outside a request would then carry /en/. Every test starts in the default language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
