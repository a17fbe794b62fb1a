"""The domain lifecycle as a pure function of a recorded run and an instant (no mock, no I/O)."""

from __future__ import annotations

import pytest

from amplify_mock._domain_lifecycle import (
    AMPLIFY_MANAGED,
    CUSTOM,
    DomainDurations,
    DomainOutcome,
    DomainRun,
    domain_view,
    phases,
)

D = DomainDurations(creating=1, requesting_certificate=2, pending_verification=3, pending_deployment=4)


def run(kind="create", certificate=AMPLIFY_MANAGED, changed=True, outcome=None):
    return DomainRun(kind, 100.0, certificate, changed, D, outcome or DomainOutcome.available())


def statuses(r, until=20):
    return [
        (t, domain_view(r, 100.0 + t).domain_status, domain_view(r, 100.0 + t).update_status)
        for t in range(until)
    ]


def changes(r, until=20):
    seen = []
    for _, status, update in statuses(r, until):
        if not seen or seen[-1] != (status, update):
            seen.append((status, update))
    return seen


def test_creation_paths():
    assert changes(run()) == [
        ("CREATING", None),
        ("REQUESTING_CERTIFICATE", None),
        ("PENDING_VERIFICATION", None),
        ("PENDING_DEPLOYMENT", None),
        ("AVAILABLE", None),
    ]
    assert changes(run(certificate=CUSTOM)) == [
        ("CREATING", None),
        ("IMPORTING_CUSTOM_CERTIFICATE", None),
        ("AWAITING_APP_CNAME", None),
        ("PENDING_DEPLOYMENT", None),
        ("AVAILABLE", None),
    ]
    assert domain_view(run(), 100.0 + 10 - 0.001).domain_status == "PENDING_DEPLOYMENT"
    assert domain_view(run(), 110.0).domain_status == "AVAILABLE"


@pytest.mark.parametrize(
    "certificate, changed, expected",
    [
        (AMPLIFY_MANAGED, True, ["REQUESTING_CERTIFICATE", "PENDING_VERIFICATION", "PENDING_DEPLOYMENT"]),
        (CUSTOM, True, ["IMPORTING_CUSTOM_CERTIFICATE", "PENDING_DEPLOYMENT"]),
        (CUSTOM, False, ["PENDING_DEPLOYMENT"]),
    ],
)
def test_update_paths(certificate, changed, expected):
    r = run("update", certificate, changed)
    assert [status for status, _ in phases(r)] == expected
    assert changes(r) == [("UPDATING", s) for s in expected] + [("AVAILABLE", "UPDATE_COMPLETE")]


def test_never_verify_stalls_at_verification_for_ever():
    r = run(outcome=DomainOutcome.never_verify())
    assert domain_view(r, 1e12).domain_status == "PENDING_VERIFICATION"
    assert not domain_view(r, 1e12).verified and not domain_view(r, 1e12).settled
    custom = run(certificate=CUSTOM, outcome=DomainOutcome.never_verify())
    assert domain_view(custom, 1e12).domain_status == "AWAITING_APP_CNAME"


def test_failure_strikes_after_verification():
    r = run(outcome=DomainOutcome.fail("broken"))
    assert domain_view(r, 105.999).domain_status == "PENDING_VERIFICATION"
    failed = domain_view(r, 106.0)
    assert (failed.domain_status, failed.status_reason, failed.verified, failed.settled) == (
        "FAILED",
        "broken",
        False,
        True,
    )
    update = run("update", CUSTOM, False, DomainOutcome.fail("late"))
    assert (domain_view(update, 104.0).domain_status, domain_view(update, 104.0).update_status) == (
        "FAILED",
        "UPDATE_FAILED",
    )


def test_records_appear_after_creating():
    r = run()
    first, later = domain_view(r, 100.5), domain_view(r, 101.0)
    assert (first.target_assigned, first.validation_record) == (False, False)
    assert (later.target_assigned, later.validation_record) == (True, True)
    assert domain_view(run(certificate=CUSTOM), 200.0).validation_record is False


def test_status_never_goes_back_as_time_moves_forward():
    order = ["CREATING", "REQUESTING_CERTIFICATE", "PENDING_VERIFICATION", "PENDING_DEPLOYMENT", "AVAILABLE"]
    seen = [order.index(status) for _, status, _ in statuses(run(), 30)]
    assert seen == sorted(seen)


def test_bad_values_are_refused():
    with pytest.raises(ValueError):
        DomainDurations(creating=float("nan"))
    with pytest.raises(ValueError):
        DomainDurations(creating=True)
    with pytest.raises(ValueError):
        DomainOutcome("MAYBE")
    with pytest.raises(ValueError):
        DomainOutcome("NEVER_VERIFY", "why")
    with pytest.raises(ValueError):
        DomainOutcome.fail("x" * 1001)
