"""Policy packs: OpenFisca variables plus a ``PolicyPack`` description each."""
