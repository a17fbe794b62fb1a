"""The domain association lifecycle: what status a custom domain has at a given instant.

Like the job lifecycle, status is never stored: it is a pure function of what was recorded
about the association (each :class:`DomainRun` — the creation, or an update — with its start,
its certificate type, its durations and its scripted outcome) and the clock. No I/O, no other
state: trivial to test and cheap to call.

Paths (AWS documents the statuses, not their order; the order is the one AWS's replies and
terraform-provider-aws's waiters show: CreateDomainAssociation answers CREATING, the ACM
validation record appears next, then verification, then the CloudFront deployment):

- created with an Amplify-managed certificate:
  CREATING → REQUESTING_CERTIFICATE → PENDING_VERIFICATION → PENDING_DEPLOYMENT → AVAILABLE
- created with a custom certificate (nothing for ACM to validate; Amplify imports the
  certificate and waits for the subdomains' CNAME records):
  CREATING → IMPORTING_CUSTOM_CERTIFICATE → AWAITING_APP_CNAME → PENDING_DEPLOYMENT → AVAILABLE
- updated (domainStatus UPDATING while ``updateStatus`` runs, AVAILABLE once UPDATE_COMPLETE):
  to a managed certificate REQUESTING_CERTIFICATE → PENDING_VERIFICATION → PENDING_DEPLOYMENT,
  to a custom one IMPORTING_CUSTOM_CERTIFICATE → PENDING_DEPLOYMENT, and with the certificate
  unchanged (subdomains, auto-subdomain settings) PENDING_DEPLOYMENT; then UPDATE_COMPLETE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal, Optional, Tuple

__all__ = [
    "AMPLIFY_MANAGED",
    "AVAILABLE",
    "CUSTOM",
    "DomainDurations",
    "DomainOutcome",
    "DomainRun",
    "DomainView",
    "FAILED",
    "UPDATING",
    "domain_view",
    "phases",
]

AMPLIFY_MANAGED: Final = "AMPLIFY_MANAGED"
CUSTOM: Final = "CUSTOM"

CREATING: Final = "CREATING"
REQUESTING_CERTIFICATE: Final = "REQUESTING_CERTIFICATE"
IMPORTING_CUSTOM_CERTIFICATE: Final = "IMPORTING_CUSTOM_CERTIFICATE"
PENDING_VERIFICATION: Final = "PENDING_VERIFICATION"
AWAITING_APP_CNAME: Final = "AWAITING_APP_CNAME"
PENDING_DEPLOYMENT: Final = "PENDING_DEPLOYMENT"
AVAILABLE: Final = "AVAILABLE"
UPDATING: Final = "UPDATING"
FAILED: Final = "FAILED"
UPDATE_COMPLETE: Final = "UPDATE_COMPLETE"
UPDATE_FAILED: Final = "UPDATE_FAILED"

# The phases in which Amplify waits for DNS the user controls: where a domain that "never
# verifies" stays, and where a scripted failure strikes.
_VERIFYING: Final = frozenset({PENDING_VERIFICATION, AWAITING_APP_CNAME})

RunKind = Literal["create", "update"]


@dataclass(frozen=True)
class DomainDurations:
    """How long, in seconds, each phase of a domain association lasts.

    The defaults add up to about 11.5 minutes, within the "around 10-15 minutes" users report
    for a domain on Route 53 (external DNS takes as long as its records take to appear).
    ``requesting_certificate`` also times IMPORTING_CUSTOM_CERTIFICATE, and
    ``pending_verification`` also times AWAITING_APP_CNAME.
    """

    creating: float = 30.0
    requesting_certificate: float = 60.0
    pending_verification: float = 300.0
    pending_deployment: float = 300.0

    def __post_init__(self) -> None:
        for name in ("creating", "requesting_certificate", "pending_verification", "pending_deployment"):
            value = getattr(self, name)
            if isinstance(value, bool) or not (
                isinstance(value, (int, float)) and math.isfinite(value) and value >= 0
            ):
                raise ValueError(f"DomainDurations.{name} must be a finite number >= 0, got {value!r}")

    @classmethod
    def zero(cls) -> DomainDurations:
        """Every phase instantaneous: an association is AVAILABLE the instant it is created."""
        return cls(0.0, 0.0, 0.0, 0.0)


_OutcomeKind = Literal["AVAILABLE", "NEVER_VERIFY", "FAIL"]
# The statusReason AWS gives for the most reported domain failure (amplify-hosting issues
# #114, #490, #1018, #1468: "One or more of the CNAMEs you provided are already associated
# with a different resource.").
DEFAULT_FAILURE: Final = (
    "One or more of the CNAMEs you provided are already associated with a different resource."
)


@dataclass(frozen=True)
class DomainOutcome:
    """What a creation or update of a domain association does: become available, stay in
    verification for ever, or fail (once its verification phase has run) with ``reason``."""

    kind: _OutcomeKind = "AVAILABLE"
    reason: Optional[str] = None

    def __post_init__(self) -> None:
        if self.kind not in ("AVAILABLE", "NEVER_VERIFY", "FAIL"):
            raise ValueError(f"unknown domain outcome kind {self.kind!r}")
        if self.kind == "FAIL":
            if not isinstance(self.reason, str) or not self.reason or len(self.reason) > 1000:
                raise ValueError("a failing domain outcome needs a reason of 1 to 1000 characters")
        elif self.reason is not None:
            raise ValueError(f"a {self.kind} domain outcome takes no reason")

    @classmethod
    def available(cls) -> DomainOutcome:
        """Every phase runs its duration and the association ends AVAILABLE (the default)."""
        return cls()

    @classmethod
    def never_verify(cls) -> DomainOutcome:
        """The association stays in its verification phase until updated or deleted."""
        return cls("NEVER_VERIFY")

    @classmethod
    def fail(cls, reason: str = DEFAULT_FAILURE) -> DomainOutcome:
        """FAILED (UPDATE_FAILED for an update) with ``reason`` once verification has run."""
        return cls("FAIL", reason)


@dataclass(frozen=True)
class DomainRun:
    """One creation or update of an association, as recorded when the call came."""

    kind: RunKind
    start: float
    certificate: str  # AMPLIFY_MANAGED or CUSTOM, as the run leaves it
    certificate_changed: bool  # an update that changes the certificate (creation: True)
    durations: DomainDurations
    outcome: DomainOutcome


@dataclass(frozen=True)
class DomainView:
    """An association at some instant."""

    domain_status: str
    update_status: Optional[str]
    status_reason: str
    verified: bool  # the subdomains' CNAME records have been seen
    target_assigned: bool  # the CloudFront distribution exists (dnsRecord names it)
    validation_record: bool  # the ACM validation record has been issued
    settled: bool  # nothing will change any more without a new call


def phases(run: DomainRun) -> Tuple[Tuple[str, float], ...]:
    """The (status, duration) phases a run goes through before it settles."""
    d = run.durations
    if run.kind == "create":
        if run.certificate == CUSTOM:
            return (
                (CREATING, d.creating),
                (IMPORTING_CUSTOM_CERTIFICATE, d.requesting_certificate),
                (AWAITING_APP_CNAME, d.pending_verification),
                (PENDING_DEPLOYMENT, d.pending_deployment),
            )
        return (
            (CREATING, d.creating),
            (REQUESTING_CERTIFICATE, d.requesting_certificate),
            (PENDING_VERIFICATION, d.pending_verification),
            (PENDING_DEPLOYMENT, d.pending_deployment),
        )
    if not run.certificate_changed:
        return ((PENDING_DEPLOYMENT, d.pending_deployment),)
    if run.certificate == CUSTOM:
        return (
            (IMPORTING_CUSTOM_CERTIFICATE, d.requesting_certificate),
            (PENDING_DEPLOYMENT, d.pending_deployment),
        )
    return (
        (REQUESTING_CERTIFICATE, d.requesting_certificate),
        (PENDING_VERIFICATION, d.pending_verification),
        (PENDING_DEPLOYMENT, d.pending_deployment),
    )


def _decisive(path: Tuple[Tuple[str, float], ...]) -> int:
    """Where a scripted outcome strikes: the verification phase, else the last one."""
    for index, (status, _) in enumerate(path):
        if status in _VERIFYING:
            return index
    return len(path) - 1


def domain_view(run: DomainRun, now: float) -> DomainView:
    """The association at ``now``, as the latest run ``run`` leaves it."""
    path = phases(run)
    decisive = _decisive(path)
    outcome = run.outcome
    elapsed = now - run.start
    for index, (_, duration) in enumerate(path):
        if outcome.kind == "NEVER_VERIFY" and index == decisive:
            return _during(run, path, index, settled=False)
        if elapsed < duration:
            return _during(run, path, index, settled=False)
        elapsed -= duration
        if outcome.kind == "FAIL" and index == decisive:
            reason = outcome.reason or DEFAULT_FAILURE
            update = UPDATE_FAILED if run.kind == "update" else None
            passed = _during(run, path, index, settled=True)
            return DomainView(
                FAILED, update, reason, passed.verified, passed.target_assigned,
                passed.validation_record, True,
            )
    update_status = UPDATE_COMPLETE if run.kind == "update" else None
    return DomainView(AVAILABLE, update_status, "", True, True, run.certificate == AMPLIFY_MANAGED, True)


def _during(
    run: DomainRun, path: Tuple[Tuple[str, float], ...], index: int, *, settled: bool
) -> DomainView:
    status = path[index][0]
    names = [name for name, _ in path]
    if run.kind == "update":
        # The domain was AVAILABLE before the update: verified and deployed; a switch to a
        # managed certificate issues a new validation record at once.
        return DomainView(
            UPDATING, status, "", True, True, run.certificate == AMPLIFY_MANAGED, settled
        )
    verifying = next(i for i, name in enumerate(names) if name in _VERIFYING)
    return DomainView(
        domain_status=status,
        update_status=None,
        status_reason="",
        # A failure at verification leaves the subdomains unverified.
        verified=index > verifying,
        target_assigned=index > 0,
        validation_record=index > 0 and run.certificate == AMPLIFY_MANAGED,
        settled=settled,
    )
