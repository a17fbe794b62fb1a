"""AWS-shaped errors of the Amplify API, one class per error shape of the service model."""

from __future__ import annotations

import json
from typing import Dict, Tuple


class AmplifyError(Exception):
    code = "InternalFailureException"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> Dict[str, str]:
        return {"message": self.message}

    def to_response(self) -> Tuple[int, Dict[str, str], bytes]:
        headers = {
            "Content-Type": "application/json",
            "x-amzn-ErrorType": self.code,
        }
        return self.status, headers, json.dumps(self.body()).encode()


class BadRequestException(AmplifyError):
    code = "BadRequestException"
    status = 400


class UnauthorizedException(AmplifyError):
    code = "UnauthorizedException"
    status = 401


class NotFoundException(AmplifyError):
    code = "NotFoundException"
    status = 404


class ResourceNotFoundException(AmplifyError):
    code = "ResourceNotFoundException"
    status = 404

    def body(self) -> Dict[str, str]:
        return {"code": "ResourceNotFound", "message": self.message}


class LimitExceededException(AmplifyError):
    code = "LimitExceededException"
    status = 429


class InternalFailureException(AmplifyError):
    code = "InternalFailureException"
    status = 500


class DependentServiceFailureException(AmplifyError):
    code = "DependentServiceFailureException"
    status = 503


# Not shapes of the Amplify model: what the AWS front end answers for a request that names
# no operation, and what this mock answers for an operation it does not serve.
class UnknownOperationException(AmplifyError):
    code = "UnknownOperationException"
    status = 404


class NotImplementedByMockException(AmplifyError):
    code = "NotImplementedException"
    status = 501
