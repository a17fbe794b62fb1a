"""Settings shared by the whole suite."""

from __future__ import annotations

import os

from hypothesis import settings

# The suite gives the same verdict on every machine and every run: no example database (a
# failure once saved under .hypothesis/ would otherwise replay in every later run of that
# checkout, and nowhere else), and examples drawn from a fixed seed. A failure is reproduced
# from the example hypothesis prints, then kept as an explicit @example. To hunt for new
# failures with fresh random examples: HYPOTHESIS_PROFILE=explore python -m pytest ...
settings.register_profile("ci", database=None, derandomize=True)
settings.register_profile("explore", database=None, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
