"""Make moto's own ``mock_aws`` serve Amplify from this package's backend.

moto has no plugin system. Its request routing reads ``moto.backend_index.backend_url_patterns``
and finds a service's backends by importing ``moto.<service>``; one more pattern and a
``sys.modules`` alias are all it takes, and both stay inert until a mock starts.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from types import ModuleType

import moto.backend_index

# Every domain an Amplify endpoint lives on: regional and FIPS (``amazonaws.com``), China
# (``amazonaws.com.cn``), dual-stack (``api.aws``, and China's ``api.amazonwebservices.com.cn``).
DOMAINS = r"(?:amazonaws\.com(?:\.cn)?|api\.aws|api\.amazonwebservices\.com\.cn)"
# Any Amplify host on them, with or without a region (``amplify.amazonaws.com``) and a port,
# and the host of Amplify's webhook URLs (``webhooks.amplify.{region}.amazonaws.com``).
HOST = r"(?:webhooks\.)?amplify(?:-fips)?\.(?:([^/]+)\.)?" + DOMAINS + r"(?::\d+)?"
PATTERN = re.compile(r"https?://" + HOST + r"(?:/|$)", re.IGNORECASE)
ALIAS = "moto.amplify"


def register(module: ModuleType) -> None:
    existing = sys.modules.get(ALIAS)
    if existing is None:
        if importlib.util.find_spec(ALIAS) is not None:
            raise ImportError(
                "This moto ships its own moto.amplify; amplify_mock would shadow it. "
                "Pin moto<6 or drop amplify_mock."
            )
        sys.modules[ALIAS] = module
    elif existing is not module:
        raise ImportError(f"{ALIAS} is already provided by {existing!r}; refusing to replace it.")
    patterns = moto.backend_index.backend_url_patterns
    if not any(service == "amplify" for service, _ in patterns):
        # First, so moto's per-request scan finds Amplify without walking every service.
        patterns.insert(0, ("amplify", PATTERN))
