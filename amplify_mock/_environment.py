"""Environment variables of apps, branches and auto-created branches, as AWS stores them."""

from __future__ import annotations

from typing import Any, Dict

from .exceptions import BadRequestException

# How AWS has clients clear environment variables: a map whose only key is one space, with an
# empty value (aws/aws-sdk-go-v2#2788; terraform-provider-aws#39397 and #49858 adopted it).
# An empty key is refused, in AWS's words as terraform-provider-aws#39327 quotes them.
_CLEAR_ENVIRONMENT = " "
_EMPTY_KEY = "Environment variables cannot have an empty key."


def _environment(variables: Dict[str, str]) -> Dict[str, str]:
    if "" in variables:
        raise BadRequestException(_EMPTY_KEY)
    if variables.get(_CLEAR_ENVIRONMENT) == "":
        variables = {k: v for k, v in variables.items() if k != _CLEAR_ENVIRONMENT}
    return variables


def settle_environment(params: Dict[str, Any]) -> Dict[str, Any]:
    """``params`` with its environment variables as AWS stores them; refuses an empty key
    before anything is changed."""
    if "environmentVariables" in params:
        params = {**params, "environmentVariables": _environment(params["environmentVariables"])}
    config = params.get("autoBranchCreationConfig")
    if config is not None and "environmentVariables" in config:
        config = {**config, "environmentVariables": _environment(config["environmentVariables"])}
        params = {**params, "autoBranchCreationConfig": config}
    return params
