import pytest

from koshi.rules.engine import get_pack
from koshi.rules.pack import PolicyPack


@pytest.fixture(scope="session")
def pr() -> PolicyPack:
    return get_pack("kz.permanent_residence")


@pytest.fixture(scope="session")
def kandas() -> PolicyPack:
    return get_pack("kz.kandas_status")


@pytest.fixture(scope="session")
def crs() -> PolicyPack:
    return get_pack("ca.crs")
