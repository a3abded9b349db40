"""Fixtures shared by the NoteStore service tests (see noteshard.py)."""

import pytest
from noteshard import Shard


@pytest.fixture
def shard(tmp_path):
    node = Shard(tmp_path)
    yield node
    node.storage.close()


@pytest.fixture
def token(shard):
    return shard.token(user_id=1)


@pytest.fixture
def other_token(shard):
    return shard.token(user_id=2)
