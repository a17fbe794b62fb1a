"""Steering domain associations: the controller's methods (mixed into ``AmplifyJobs``) and the
server's ``/_amplify_mock/domain-settings`` and ``/_amplify_mock/domain-script`` endpoints.

The endpoint handlers raise ValueError or TypeError for bad input (the server answers 400) and
the API's own errors for a missing app (404), as the other control endpoints do.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Mapping, Optional

from . import domains
from ._control_input import backend as _backend
from ._control_input import located, only, text, where
from ._domain_lifecycle import DEFAULT_FAILURE, DomainDurations, DomainOutcome
from .models import STATE_LOCK


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return value


class DomainControls:
    """The controller's domain methods."""

    @property
    def domain_durations(self) -> DomainDurations:
        """How long each phase of a domain association lasts (associations created or updated
        from now on; those under way keep theirs)."""
        return domains.settings.durations

    @domain_durations.setter
    def domain_durations(self, value: DomainDurations) -> None:
        if not isinstance(value, DomainDurations):
            raise TypeError("domain_durations must be an amplify_mock.DomainDurations")
        domains.settings.durations = value

    @property
    def max_domains_per_app(self) -> int:
        """How many domain associations an app may have (AWS's default quota: 5)."""
        return domains.settings.max_domains_per_app

    @max_domains_per_app.setter
    def max_domains_per_app(self, value: int) -> None:
        domains.settings.max_domains_per_app = _count("max_domains_per_app", value)

    @property
    def max_subdomains_per_domain(self) -> int:
        """How many subdomains one association may have (AWS's quota: 50)."""
        return domains.settings.max_subdomains_per_domain

    @max_subdomains_per_domain.setter
    def max_subdomains_per_domain(self, value: int) -> None:
        domains.settings.max_subdomains_per_domain = _count("max_subdomains_per_domain", value)

    def script_domain(
        self,
        app_id: str,
        domain_name: str,
        *outcomes: DomainOutcome,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> None:
        """What the next CreateDomainAssociation or UpdateDomainAssociation calls of this domain
        on this app do, in order; calls after these make it AVAILABLE."""
        for outcome in outcomes:
            if not isinstance(outcome, DomainOutcome):
                raise TypeError("script_domain() takes amplify_mock.DomainOutcome values")
        backend = _backend(*located(app_id, region, account_id))
        with backend.lock:
            backend.domains.script(backend.get_app(app_id), domain_name, list(outcomes))

    def domain_never_verifies(
        self, app_id: str, domain_name: str, *, region: Optional[str] = None, account_id: Optional[str] = None
    ) -> None:
        """The domain's next creation (or update) stays in verification (PENDING_VERIFICATION,
        or AWAITING_APP_CNAME with a custom certificate) until it is updated or deleted."""
        self.script_domain(
            app_id, domain_name, DomainOutcome.never_verify(), region=region, account_id=account_id
        )

    def fail_domain(
        self,
        app_id: str,
        domain_name: str,
        reason: str = DEFAULT_FAILURE,
        *,
        region: Optional[str] = None,
        account_id: Optional[str] = None,
    ) -> None:
        """The domain's next creation (or update) ends FAILED (UPDATE_FAILED) with ``reason`` as
        statusReason once its verification phase has run."""
        self.script_domain(
            app_id, domain_name, DomainOutcome.fail(reason), region=region, account_id=account_id
        )


# Server control endpoints

_controls = DomainControls()
_DURATION_FIELDS = tuple(field.name for field in dataclasses.fields(DomainDurations))
_WHERE = ("appId", "domainName", "region", "accountId")


def settings_get(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, ())
    return {
        "durations": dataclasses.asdict(_controls.domain_durations),
        "maxDomainsPerApp": _controls.max_domains_per_app,
        "maxSubdomainsPerDomain": _controls.max_subdomains_per_domain,
    }


def settings_post(data: Mapping[str, Any]) -> Dict[str, Any]:
    """``{"durations": {...}, "maxDomainsPerApp": n, "maxSubdomainsPerDomain": n}``, any part."""
    only(data, ("durations", "maxDomainsPerApp", "maxSubdomainsPerDomain"))
    durations = data.get("durations", {})
    if not isinstance(durations, dict):
        raise ValueError("durations must be an object of seconds by phase.")
    only(durations, _DURATION_FIELDS)
    for key, value in durations.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"durations.{key} must be a number of seconds, got {value!r}.")
    with STATE_LOCK:  # read, check, change and write back, with no reset in between
        # Check everything before changing anything.
        new_durations = dataclasses.replace(_controls.domain_durations, **durations)
        max_domains = _count("maxDomainsPerApp", data.get("maxDomainsPerApp", _controls.max_domains_per_app))
        max_subdomains = _count(
            "maxSubdomainsPerDomain", data.get("maxSubdomainsPerDomain", _controls.max_subdomains_per_domain)
        )
        _controls.domain_durations = new_durations
        _controls.max_domains_per_app = max_domains
        _controls.max_subdomains_per_domain = max_subdomains
        return settings_get({})


def _outcome(item: Any) -> DomainOutcome:
    if not isinstance(item, dict):
        raise ValueError(f"Each outcome must be a JSON object, got {item!r}.")
    only(item, ("kind", "reason"))
    kind = item.get("kind", "AVAILABLE")
    if kind == "FAIL" and "reason" not in item:
        return DomainOutcome.fail()
    return DomainOutcome(kind, item.get("reason"))


def _outcome_dict(outcome: DomainOutcome) -> Dict[str, Any]:
    return {key: value for key, value in dataclasses.asdict(outcome).items() if value is not None}


def script_get(data: Mapping[str, Any]) -> Dict[str, Any]:
    only(data, _WHERE)
    backend = _backend(*where(data))
    with backend.lock:
        app = backend.get_app(text(data, "appId"))
        scripted = backend.domains.scripted(app, text(data, "domainName"))
        return {"outcomes": [_outcome_dict(outcome) for outcome in scripted]}


def script_post(data: Mapping[str, Any]) -> Dict[str, Any]:
    """``{"appId", "domainName", "outcomes": [{"kind": "NEVER_VERIFY"}, {"kind": "FAIL",
    "reason": "..."}, {"kind": "AVAILABLE"}]}``: what the domain's next calls do."""
    only(data, ("outcomes",) + _WHERE)
    items = data.get("outcomes")
    if not isinstance(items, list):
        raise ValueError("outcomes must be a list of {kind, reason} objects.")
    outcomes = [_outcome(item) for item in items]
    region, account_id = where(data)
    backend = _backend(region, account_id)
    with backend.lock:
        _controls.script_domain(
            text(data, "appId"), text(data, "domainName"), *outcomes, region=region, account_id=account_id
        )
        return script_get({key: value for key, value in data.items() if key != "outcomes"})
