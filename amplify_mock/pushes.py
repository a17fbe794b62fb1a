"""A push to an app's connected repository: which branches it builds, and which it creates.

Pure rules over the app's and branch's settings; the backend applies them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, Mapping, Optional, Pattern, Sequence

# What autoBranchCreationConfig may set on a branch it creates: the members it shares with
# CreateBranch (botocore's AutoBranchCreationConfig shape).
_BRANCH_SETTINGS = (
    "stage",
    "framework",
    "enableAutoBuild",
    "environmentVariables",
    "basicAuthCredentials",
    "enableBasicAuth",
    "enablePerformanceMode",
    "buildSpec",
    "enablePullRequestPreview",
    "pullRequestEnvironmentName",
)


@lru_cache(maxsize=256)
def _compile(pattern: str) -> Pattern[str]:
    # Amplify's branch patterns are globs over the branch name: "*" stays within one
    # "/"-separated part and "**" crosses them, which is why the console's default patterns
    # are "*" and "*/**" (AWS Amplify Hosting user guide, "Pattern-based feature branch
    # deployments"); "?" is one character other than "/".
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def matches(branch_name: str, patterns: Optional[Sequence[str]]) -> bool:
    """Whether auto branch creation takes ``branch_name``. Without patterns every branch is
    taken, as the CDK documents for an app that enables it without any ("Default: all
    repository branches")."""
    if not patterns:
        return True
    return any(_compile(pattern).match(branch_name) for pattern in patterns)


def auto_branch(app_settings: Mapping[str, Any], branch_name: str) -> Optional[Dict[str, Any]]:
    """The CreateBranch settings of a branch a push creates, or None if the app creates none."""
    if not app_settings.get("enableAutoBranchCreation"):
        return None
    if not matches(branch_name, app_settings.get("autoBranchCreationPatterns")):
        return None
    config = app_settings.get("autoBranchCreationConfig") or {}
    return {key: config[key] for key in _BRANCH_SETTINGS if key in config}
