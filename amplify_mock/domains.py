"""Domain associations: custom domains of an app, their subdomains, certificate and DNS records.

An association's status is read off its latest :class:`~amplify_mock._domain_lifecycle.DomainRun`
at the current instant; nothing here stores a status. This module knows apps only through
the few attributes it reads (:class:`AppRef`), so it never imports the backend that composes it.

Where AWS's wording is public it is reproduced, and the source is named next to it.
"""

from __future__ import annotations

import string
from typing import Any, Dict, List, Mapping, Optional, Protocol, Set, Tuple

from moto.moto_api._internal import mock_random

from ._domain_lifecycle import (
    AMPLIFY_MANAGED,
    AVAILABLE,
    CUSTOM,
    UPDATING,
    DomainDurations,
    DomainOutcome,
    DomainRun,
    DomainView,
    RunKind,
    domain_view,
)
from ._pagination import page_ascending
from .exceptions import BadRequestException, LimitExceededException, NotFoundException
from .pushes import matches

# Amplify Hosting service quotas (docs.aws.amazon.com/amplify/latest/userguide/quotas-chapter.html):
# "Domains per app: 5" (adjustable; Service Quotas lists it as L-AD277529 with default 5) and
# "Subdomains per domain: 50" (AWS's refusal names the same 50, amplify-hosting#3279).
MAX_DOMAINS_PER_APP = 5
MAX_SUBDOMAINS_PER_DOMAIN = 50

_CLOUDFRONT_ALPHABET = string.ascii_lowercase + string.digits


class DomainSettings:
    """Mock-wide domain settings, reset whenever a mock starts."""

    def __init__(self) -> None:
        self.durations = DomainDurations()
        self.max_domains_per_app = MAX_DOMAINS_PER_APP
        self.max_subdomains_per_domain = MAX_SUBDOMAINS_PER_DOMAIN


settings = DomainSettings()


class AppRef(Protocol):
    """What this module reads of an app."""

    app_id: str
    arn: str

    @property
    def branches(self) -> Mapping[str, Any]: ...


def domain_key(domain_name: str) -> str:
    """Domain names are case-insensitive and may end with the root's dot."""
    return domain_name.lower().rstrip(".")


def _fqdn(prefix: str, domain_name: str) -> str:
    domain = domain_name.rstrip(".")
    return f"{prefix}.{domain}" if prefix else domain


class DomainAssociation:
    def __init__(self, app: AppRef, domain_name: str, seq: int, params: Dict[str, Any], run: DomainRun):
        self.app_id = app.app_id
        self.domain_name = domain_name
        self.seq = seq
        self.arn = f"{app.arn}/domains/{domain_name}"
        self.enable_auto_sub_domain = bool(params.get("enableAutoSubDomain", False))
        self.auto_sub_domain_creation_patterns: Optional[List[str]] = params.get(
            "autoSubDomainCreationPatterns"
        )
        self.auto_sub_domain_iam_role: Optional[str] = params.get("autoSubDomainIAMRole")
        self.sub_domain_settings: List[Dict[str, str]] = _settings_of(params["subDomainSettings"])
        # Prefixes of the subdomains automatic subdomain creation added (see branch_created).
        self.auto_prefixes: Set[str] = set()
        certificate = params.get("certificateSettings") or {"type": AMPLIFY_MANAGED}
        self.certificate_type: str = certificate["type"]
        self.custom_certificate_arn: Optional[str] = certificate.get("customCertificateArn")
        # One CloudFront distribution serves every subdomain of the association: its target
        # is the same in every dnsRecord (cloudposse/terraform-aws-amplify-app#5 shows two).
        self.distribution = "d" + "".join(mock_random.choice(_CLOUDFRONT_ALPHABET) for _ in range(13))
        self.validation_record = _validation_record(domain_name)
        self.runs: List[DomainRun] = [run]

    @property
    def fqdns(self) -> List[str]:
        return [_fqdn(s["prefix"], self.domain_name) for s in self.sub_domain_settings]

    def view(self, now: float) -> DomainView:
        return domain_view(self.runs[-1], now)

    def to_dict(self, now: float) -> Dict[str, Any]:
        view = self.view(now)
        # While CREATING, AWS names no target yet: "dev CNAME <pending>" (earlier replies said
        # "www CNAME null"); then the distribution, e.g. "dev CNAME d1w4tf1s8kz5ts.cloudfront.net".
        target = f"{self.distribution}.cloudfront.net" if view.target_assigned else "<pending>"
        result: Dict[str, Any] = {
            "domainAssociationArn": self.arn,
            "domainName": self.domain_name,
            "enableAutoSubDomain": self.enable_auto_sub_domain,
            "domainStatus": view.domain_status,
            # The model requires statusReason; AWS leaves it out while all is well, so the
            # mock answers "" then (botocore's output shapes are the contract here).
            "statusReason": view.status_reason,
            "subDomains": [
                {
                    # AWS leaves an apex's empty prefix out of its replies; the model requires
                    # prefix, so the mock keeps it as "".
                    "subDomainSetting": dict(setting),
                    "verified": view.verified,
                    "dnsRecord": f"{setting['prefix']} CNAME {target}",
                }
                for setting in self.sub_domain_settings
            ],
        }
        if self.auto_sub_domain_creation_patterns is not None:
            result["autoSubDomainCreationPatterns"] = list(self.auto_sub_domain_creation_patterns)
        if self.auto_sub_domain_iam_role is not None:
            result["autoSubDomainIAMRole"] = self.auto_sub_domain_iam_role
        if view.update_status is not None:
            result["updateStatus"] = view.update_status
        certificate: Dict[str, Any] = {"type": self.certificate_type}
        if self.certificate_type == CUSTOM and self.custom_certificate_arn:
            certificate["customCertificateArn"] = self.custom_certificate_arn
        if view.validation_record:
            result["certificateVerificationDNSRecord"] = self.validation_record
            certificate["certificateVerificationDNSRecord"] = self.validation_record
        result["certificate"] = certificate
        return result


def _settings_of(items: List[Mapping[str, Any]]) -> List[Dict[str, str]]:
    return [{"prefix": item.get("prefix") or "", "branchName": item["branchName"]} for item in items]


def _validation_record(domain_name: str) -> str:
    # ACM's DNS validation record as Amplify reports it, e.g. "_4debd40fe4712b3287d042a9c34d1adf
    # .tenu.com. CNAME _b9979279b09003bd58dd025e9552f4fd.zdxcnfdgtt.acm-validations.aws."
    zone = "".join(mock_random.choice(string.ascii_lowercase) for _ in range(10))
    return (
        f"_{mock_random.get_random_hex(32)}.{domain_name.rstrip('.')}. CNAME "
        f"_{mock_random.get_random_hex(32)}.{zone}.acm-validations.aws."
    )


def _certificate(params: Mapping[str, Any]) -> Optional[Tuple[str, Optional[str]]]:
    settings_ = params.get("certificateSettings")
    if settings_ is None:
        return None
    kind, arn = settings_["type"], settings_.get("customCertificateArn") or None
    if kind == CUSTOM and not arn:
        raise BadRequestException(
            "certificateSettings of type CUSTOM need customCertificateArn: the ARN of an ACM "
            "certificate in us-east-1 that covers the domain."
        )
    if kind == AMPLIFY_MANAGED and arn:
        raise BadRequestException(
            "customCertificateArn goes with certificateSettings of type CUSTOM, not AMPLIFY_MANAGED."
        )
    return kind, arn


class DomainAssociations:
    """The domain associations of one account in one region, by app."""

    def __init__(self) -> None:
        self.by_app: Dict[str, Dict[str, DomainAssociation]] = {}
        self.seq = 0
        # Scripted outcomes, by (appId, domain key): consumed by the next Create or Update.
        self.outcomes: Dict[Tuple[str, str], List[DomainOutcome]] = {}

    def _outcome(self, app_id: str, key: str) -> DomainOutcome:
        queue = self.outcomes.get((app_id, key))
        if not queue:
            return DomainOutcome.available()
        outcome = queue.pop(0)
        if not queue:
            del self.outcomes[(app_id, key)]
        return outcome

    def script(self, app: AppRef, domain_name: str, outcomes: List[DomainOutcome]) -> None:
        self.outcomes.setdefault((app.app_id, domain_key(domain_name)), []).extend(outcomes)

    def scripted(self, app: AppRef, domain_name: str) -> List[DomainOutcome]:
        return list(self.outcomes.get((app.app_id, domain_key(domain_name)), []))

    def _check_subdomains(self, app: AppRef, items: List[Mapping[str, Any]]) -> None:
        if not items:
            # What AWS answers for an association without subdomains (amplify-hosting#3072).
            raise BadRequestException("The domain doesn't contain any subdomains")
        limit = settings.max_subdomains_per_domain
        if len(items) > limit:
            # AWS's words (amplify-hosting#3279).
            raise BadRequestException(
                f"Too many sub domains requested, the maximum allowed in your account is {limit}"
            )
        if any(item["branchName"] not in app.branches for item in items):
            # AWS's words (aws/aws-sdk-php#3054, an UpdateDomainAssociation refused).
            raise BadRequestException("A subdomain cannot point to a non-existent branch")
        seen: Dict[str, str] = {}
        for item in items:
            prefix = item.get("prefix") or ""
            if prefix in seen:
                raise BadRequestException(
                    f"The subdomain prefix {prefix!r} appears twice in subDomainSettings; "
                    "each prefix maps to one branch."
                )
            seen[prefix] = item["branchName"]

    def create(self, app: AppRef, params: Dict[str, Any], now: float) -> DomainAssociation:
        domain_name = params["domainName"]
        key = domain_key(domain_name)
        items = params.get("subDomainSettings") or []
        for associations in self.by_app.values():
            if key in associations:
                # AWS's words, for the same domain on another app and on the same one again
                # (isomercms-backend#720; amplify-hosting#3234: "... another Amplify app:
                # www.gurukulacademylko.in, gurukulacademylko.in").
                names = [_fqdn(item.get("prefix") or "", domain_name) for item in items]
                raise BadRequestException(
                    "One or more domains requested are already associated with another Amplify "
                    f"app: {', '.join(names or [domain_name.rstrip('.')])}"
                )
        associations = self.by_app.get(app.app_id, {})
        if len(associations) >= settings.max_domains_per_app:
            # The Amplify console's words for this quota (amplify-hosting#1771).
            raise LimitExceededException(
                "You have reached the maximum number of custom domains in this app "
                f"({settings.max_domains_per_app} domains per app)."
            )
        self._check_subdomains(app, items)
        certificate = _certificate(params) or (AMPLIFY_MANAGED, None)
        self.seq += 1
        outcome = self._outcome(app.app_id, key)
        run = DomainRun("create", now, certificate[0], True, settings.durations, outcome)
        association = DomainAssociation(app, domain_name, self.seq, params, run)
        self.by_app.setdefault(app.app_id, {})[key] = association
        return association

    def get(self, app: AppRef, domain_name: str) -> DomainAssociation:
        association = self.by_app.get(app.app_id, {}).get(domain_key(domain_name))
        if association is None:
            raise NotFoundException(
                f"Domain association {domain_name} not found for app {app.app_id}."
            )
        return association

    def update(self, app: AppRef, domain_name: str, params: Dict[str, Any], now: float) -> DomainAssociation:
        association = self.get(app, domain_name)
        items = params.get("subDomainSettings")
        if items is not None:
            self._check_subdomains(app, items)
        certificate = _certificate(params)
        changed = certificate is not None and certificate != (
            association.certificate_type,
            association.custom_certificate_arn,
        )
        current = association.view(now)
        # An AVAILABLE association (or one being updated) goes through updateStatus; one still
        # being set up, or FAILED, starts over from CREATING with its new settings, as the
        # console's "Retry" does.
        kind: RunKind = "update" if current.domain_status in (AVAILABLE, UPDATING) else "create"
        outcome = self._outcome(app.app_id, domain_key(domain_name))
        if items is not None:
            association.sub_domain_settings = _settings_of(items)
            association.auto_prefixes &= {s["prefix"] for s in association.sub_domain_settings}
        if "enableAutoSubDomain" in params:
            association.enable_auto_sub_domain = bool(params["enableAutoSubDomain"])
        if "autoSubDomainCreationPatterns" in params:
            association.auto_sub_domain_creation_patterns = params["autoSubDomainCreationPatterns"]
        if "autoSubDomainIAMRole" in params:
            association.auto_sub_domain_iam_role = params["autoSubDomainIAMRole"]
        if certificate is not None:
            if changed and certificate[0] == AMPLIFY_MANAGED:
                association.validation_record = _validation_record(association.domain_name)
            association.certificate_type, association.custom_certificate_arn = certificate
        association.runs.append(
            DomainRun(kind, now, association.certificate_type, changed, settings.durations, outcome)
        )
        return association

    def delete(self, app: AppRef, domain_name: str) -> DomainAssociation:
        association = self.get(app, domain_name)
        associations = self.by_app[app.app_id]
        del associations[domain_key(domain_name)]
        if not associations:
            del self.by_app[app.app_id]
        return association

    def list(
        self, app: AppRef, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[DomainAssociation], Optional[str]]:
        associations = sorted(self.by_app.get(app.app_id, {}).values(), key=lambda a: a.seq)
        return page_ascending("domains", associations, lambda a: a.seq, next_token, max_results, 50)

    def has(self, app_id: str, key: str) -> bool:
        return key in self.by_app.get(app_id, {})

    def branch_created(self, app: AppRef, branch_name: str, prefix: str) -> None:
        """A branch was connected: each association with automatic subdomain creation whose
        patterns take its name gets a subdomain for it. "After an app is connected to a custom
        domain in Route 53, Amplify enables you to automatically create subdomains for newly
        connected branches. For example, if you connect your dev branch, Amplify can
        automatically create dev.exampledomain.com" (AWS Amplify Hosting user guide, "Setting up
        automatic subdomains for an Amazon Route 53 custom domain"). Every branch created from
        then on counts, by CreateBranch or by a push that auto-creates it; without patterns
        every branch does, as auto branch creation takes every branch without patterns.
        ``prefix`` is the branch's displayName: its name with "/" as "-", since a DNS label
        holds no "/". A prefix already in use, or a full association, is left as it is."""
        for association in self.by_app.get(app.app_id, {}).values():
            if not association.enable_auto_sub_domain:
                continue
            if not matches(branch_name, association.auto_sub_domain_creation_patterns):
                continue
            settings_ = association.sub_domain_settings
            if any(s["prefix"] == prefix for s in settings_):
                continue
            if len(settings_) >= settings.max_subdomains_per_domain:
                continue
            settings_.append({"prefix": prefix, "branchName": branch_name})
            association.auto_prefixes.add(prefix)

    def branch_deleted(self, app: AppRef, branch_name: str) -> None:
        """"When you delete a branch, any associated subdomains are automatically deleted"
        (the same user guide page): the subdomains automatic creation made for it. Subdomains
        set in subDomainSettings stay as they were given."""
        for association in self.by_app.get(app.app_id, {}).values():
            gone = {
                s["prefix"]
                for s in association.sub_domain_settings
                if s["branchName"] == branch_name and s["prefix"] in association.auto_prefixes
            }
            if gone:
                association.sub_domain_settings = [
                    s for s in association.sub_domain_settings if s["prefix"] not in gone
                ]
                association.auto_prefixes -= gone

    def forget_app(self, app_id: str) -> None:
        self.by_app.pop(app_id, None)
        for key in [key for key in self.outcomes if key[0] == app_id]:
            del self.outcomes[key]
