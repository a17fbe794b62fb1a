"""Incoming webhooks of an app: a URL that starts a build of one branch when POSTed to.

This module knows apps and branches only through the few attributes it reads; the backend
checks that they exist and starts the builds.
"""

from __future__ import annotations

import hmac
import string
from typing import Any, Dict, List, Optional, Protocol, Tuple

from moto.moto_api._internal import mock_random

from ._pagination import page_ascending
from ._protocol import shape_members
from .exceptions import LimitExceededException, NotFoundException

# AWS's webhook URLs: API Gateway's "prod" stage on webhooks.amplify.{region}.amazonaws.com.
# The API hands out "...?id={webhookId}&token={token}"; the console's curl command adds
# "&operation=startbuild" (aws-amplify/amplify-hosting#758, and the terraform modules that POST
# to "${aws_amplify_webhook.x.url}&operation=startbuild"), so the URL works with or without it.
PATH = "/prod/webhooks"
OPERATION = "startbuild"
# AWS's Amplify Hosting quotas page (docs.aws.amazon.com/amplify/latest/userguide/quotas-chapter.html):
# "Webhooks per app: 50"; Service Quotas lists it as L-4113FC04, default 50.
MAX_PER_APP = 50
# Tokens like AWS's: 43 URL-safe characters ("gAwmohtlIpTs1Wgony03aaoLjLMZ5VdbjwE1VB79u1w").
_TOKEN_ALPHABET = string.ascii_letters + string.digits
_TOKEN_LENGTH = 43


class AppRef(Protocol):
    """What this module reads of an app."""

    app_id: str
    arn: str


class Webhook:
    __slots__ = (
        "webhook_id",
        "token",
        "app_id",
        "arn",
        "branch_name",
        "description",
        "seq",
        "create_time",
        "update_time",
    )

    def __init__(
        self, app: AppRef, webhook_id: str, branch_name: str, description: str, seq: int, now: float
    ) -> None:
        self.webhook_id = webhook_id
        self.token = "".join(mock_random.choice(_TOKEN_ALPHABET) for _ in range(_TOKEN_LENGTH))
        self.app_id = app.app_id
        self.arn = f"{app.arn}/webhooks/{webhook_id}"
        self.branch_name = branch_name
        self.description = description
        self.seq = seq
        self.create_time = now
        self.update_time = now

    def url(self, origin: str) -> str:
        """The webhook's URL on ``origin`` (scheme and host), with AWS's path and query."""
        return f"{origin}{PATH}?id={self.webhook_id}&token={self.token}"

    def token_matches(self, token: str) -> bool:
        return hmac.compare_digest(token.encode(), self.token.encode())

    def to_dict(self, origin: str) -> Dict[str, Any]:
        # Every member of botocore's Webhook shape; appId is one in current models
        # (terraform-provider-aws reads webhook.AppId back from GetWebhook), not in older ones.
        members = shape_members("Webhook")
        result = {
            "webhookArn": self.arn,
            "webhookId": self.webhook_id,
            "webhookUrl": self.url(origin),
            "appId": self.app_id,
            "branchName": self.branch_name,
            "description": self.description,
            "createTime": self.create_time,
            "updateTime": self.update_time,
        }
        return {key: value for key, value in result.items() if key in members}




class Webhooks:
    """The webhooks of one account in one region, by id (Get/Update/Delete name the id alone)."""

    def __init__(self) -> None:
        self.by_id: Dict[str, Webhook] = {}
        self.seq = 0

    def create(self, app: AppRef, branch_name: str, description: str, now: float) -> Webhook:
        if sum(1 for w in self.by_id.values() if w.app_id == app.app_id) >= MAX_PER_APP:
            raise LimitExceededException(
                f"App {app.app_id} already has {MAX_PER_APP} webhooks, the most an app can have; "
                "delete one before creating another."
            )
        webhook_id = str(mock_random.uuid4())
        while webhook_id in self.by_id:
            webhook_id = str(mock_random.uuid4())
        self.seq += 1
        webhook = Webhook(app, webhook_id, branch_name, description, self.seq, now)
        self.by_id[webhook_id] = webhook
        return webhook

    def get(self, webhook_id: str) -> Webhook:
        webhook = self.by_id.get(webhook_id)
        if webhook is None:
            raise NotFoundException(f"Webhook {webhook_id} not found.")
        return webhook

    def find(self, webhook_id: str) -> Optional[Webhook]:
        return self.by_id.get(webhook_id)

    def update(
        self, webhook_id: str, branch_name: Optional[str], description: Optional[str], now: float
    ) -> Webhook:
        webhook = self.get(webhook_id)
        if branch_name is not None:
            webhook.branch_name = branch_name
        if description is not None:
            webhook.description = description
        webhook.update_time = now
        return webhook

    def delete(self, webhook_id: str) -> Webhook:
        return self.by_id.pop(self.get(webhook_id).webhook_id)

    def list(
        self, app_id: str, next_token: Optional[str], max_results: Optional[int]
    ) -> Tuple[List[Webhook], Optional[str]]:
        # by_id keeps creation order, which is seq order.
        webhooks = [w for w in self.by_id.values() if w.app_id == app_id]
        return page_ascending("webhooks", webhooks, lambda w: w.seq, next_token, max_results, 50)

    def forget_branch(self, app_id: str, branch_name: str) -> None:
        """A deleted branch takes its webhooks with it: nothing could build from them again."""
        for webhook_id in [
            w.webhook_id for w in self.by_id.values() if w.app_id == app_id and w.branch_name == branch_name
        ]:
            del self.by_id[webhook_id]

    def forget_app(self, app_id: str) -> None:
        for webhook_id in [w.webhook_id for w in self.by_id.values() if w.app_id == app_id]:
            del self.by_id[webhook_id]
