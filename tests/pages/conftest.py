"""AppTest runs the app as the README's run command serves it unless a test says otherwise.

`streamlit run app.py --server.address 127.0.0.1` without sign-in is local mode: everyone is a
manager. tests/pages/test_access.py sets the other roles itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1.util import patch_config_options


@pytest.fixture(autouse=True)
def server_address() -> Iterator[str]:
    with patch_config_options({"server.address": "127.0.0.1"}):
        yield "127.0.0.1"
