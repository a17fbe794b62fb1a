"""amplify_mock: an in-process mock of AWS Amplify Hosting apps, branches and jobs."""

from __future__ import annotations

from . import models as _models
from ._domain_lifecycle import DomainDurations, DomainOutcome
from ._lifecycle import Durations, Outcome
from ._mock import AmplifyJobs, MockAmplifyJobs, mock_amplify_jobs
from ._registration import register as _register
from .deployments import Deployment
from .models import AmplifyBackend, amplify_backends

__all__ = [
    "AmplifyBackend",
    "AmplifyJobs",
    "Deployment",
    "DomainDurations",
    "DomainOutcome",
    "Durations",
    "MockAmplifyJobs",
    "Outcome",
    "amplify_backends",
    "mock_amplify_jobs",
]

__version__ = "0.1.0"

_register(_models)
