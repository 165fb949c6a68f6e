import pytest
from django.test import Client
from django.utils import translation

from courseware.models import Passage


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def passage(mini_course):
    """「這是前言第1段，談越南的權力平衡。」 (its term: 權力平衡, balance of power)."""
    return Passage.objects.get(key="introduction-1")
