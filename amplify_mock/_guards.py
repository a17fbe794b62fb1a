"""Keeping Amplify calls in memory when something else intercepts them too.

- ``responses`` mocks started inside ours: a user's ``@responses.activate``, or moto's
  ``mock_aws()`` (itself a ``responses.RequestsMock``). Each patches ``HTTPAdapter.send`` over
  ours, so it sees a ``requests`` call first; for an Amplify URL it would refuse it (no match),
  fail it (moto, when ``core.service_whitelist`` leaves Amplify out) or, through a passthru,
  send it to AWS with the real adapter. While the mock is active, every ``RequestsMock``
  hands an Amplify URL to the mock's own instead, and sends the mock's content URLs (uploads,
  artifacts, served by its loopback listener) to that listener.
- Async clients (aiobotocore, and aioboto3 which is built on it): ``AioBaseClient`` overrides
  the ``BaseClient._make_request`` the interceptor patches. Its own is patched the same way,
  whether aiobotocore was imported before the mock started or while it runs. A client class
  whose ``_make_request`` does not have the shape served here is refused for Amplify calls on
  AWS endpoints, with an error that says so, rather than let through.

Every patch is recorded before it is applied and undone from the record, so removing them is
idempotent and repairs a partial install.
"""

from __future__ import annotations

import inspect
import re
import sys
from typing import Any, Callable, ContextManager, Dict, List, Optional, Protocol, Tuple

import botocore.client
import responses

from . import _content
from ._registration import HOST

AMPLIFY_URL = re.compile(r"https?://" + HOST + r"(?:[/?].*)?$", re.IGNORECASE)
_SERVED_PARAMETERS = ["self", "operation_model", "request_dict", "request_context"]

# (owner, attribute) -> what it held before, or _ABSENT: the patches in force, oldest first.
_ABSENT = object()
_patched: Dict[Tuple[type, str], Any] = {}


class InterceptorRef(Protocol):
    """What the guards use of the interceptor that installs them (``_mock._Interceptor``);
    spelled out here so this module never imports the one that imports it."""

    @property
    def lock(self) -> ContextManager[Any]: ...

    @property
    def requests_mock(self) -> Optional[responses.RequestsMock]: ...

    def intercepts(self, client: Any, request_dict: Dict[str, Any]) -> bool: ...

    def verdict(self, client: Any, request_dict: Dict[str, Any]) -> Tuple[int, Optional[str]]: ...

    def answer(
        self,
        client: Any,
        operation_model: Any,
        request_dict: Dict[str, Any],
        request_context: Any,
        verdict: Optional[int] = None,
        region: Optional[str] = None,
    ) -> Any: ...


class UnservableClientError(RuntimeError):
    """An Amplify call from a client class the mock cannot answer; it was not sent."""


def install(interceptor: InterceptorRef) -> None:
    _patch(responses.RequestsMock, "_on_request", _requests_guard(interceptor))
    aio = sys.modules.get("aiobotocore.client")
    if aio is not None:
        _patch_async_client(aio.AioBaseClient, interceptor)
    # aiobotocore imported while the mock runs defines AioBaseClient then: patch it as it is made.
    _patch(botocore.client.BaseClient, "__init_subclass__", classmethod(_subclass_hook(interceptor)))


def uninstall() -> None:
    while _patched:
        (owner, name), original = next(reversed(_patched.items()))
        if original is _ABSENT:
            if name in vars(owner):
                delattr(owner, name)
        else:
            setattr(owner, name, original)
        del _patched[(owner, name)]


def installed() -> List[Tuple[type, str]]:
    """The patches in force (for tests: empty when the mock is fully stopped)."""
    return list(_patched)


def _patch(owner: type, name: str, value: Any) -> None:
    if (owner, name) not in _patched:
        _patched[(owner, name)] = vars(owner).get(name, _ABSENT)
    setattr(owner, name, value)


def _requests_guard(interceptor: InterceptorRef) -> Callable[..., Any]:
    original = responses.RequestsMock._on_request

    def _on_request(mock: responses.RequestsMock, adapter: Any, request: Any, **kwargs: Any) -> Any:
        own = interceptor.requests_mock
        if own is not None and mock is not own:
            url = str(request.url)
            if AMPLIFY_URL.match(url):
                return original(own, adapter, request, **kwargs)
            if _content_url(url):
                # The mock's own loopback listener (upload and artifact URLs): sent to it, as
                # it would be with no other mock about; it is local, so nothing leaves.
                return responses._real_send(adapter, request, **kwargs)
        return original(mock, adapter, request, **kwargs)

    return _on_request


def _content_url(url: str) -> bool:
    # Read without starting the listener (_content.origin() would start it).
    origin = _content._listener.url
    return origin is not None and url.startswith(origin + "/")


def _subclass_hook(interceptor: InterceptorRef) -> Callable[..., None]:
    def __init_subclass__(cls: type, **kwargs: Any) -> None:  # noqa: N807 - Python's name
        super(botocore.client.BaseClient, cls).__init_subclass__(**kwargs)
        if "_make_request" in vars(cls):
            with interceptor.lock:
                # A class made in another thread as the mock stops is left alone.
                if (botocore.client.BaseClient, "__init_subclass__") in _patched:
                    _patch_async_client(cls, interceptor)

    return __init_subclass__


def _patch_async_client(cls: type, interceptor: InterceptorRef) -> None:
    original = vars(cls).get("_make_request")
    if original is None or (cls, "_make_request") in _patched:
        return
    if not inspect.iscoroutinefunction(original):
        return  # a synchronous override calls BaseClient's, which the interceptor patches
    if list(inspect.signature(original).parameters) != _SERVED_PARAMETERS:
        _patch(cls, "_make_request", _refusal(cls, original, interceptor))
        return

    async def _make_request(
        client: Any, operation_model: Any, request_dict: Dict[str, Any], request_context: Any
    ) -> Any:
        verdict, region = interceptor.verdict(client, request_dict)
        if verdict:
            return interceptor.answer(
                client, operation_model, request_dict, request_context, verdict, region
            )
        return await original(client, operation_model, request_dict, request_context)

    _patch(cls, "_make_request", _make_request)


def _refusal(cls: type, original: Callable[..., Any], interceptor: InterceptorRef) -> Callable[..., Any]:
    module = sys.modules.get(cls.__module__.partition(".")[0])
    version = getattr(module, "__version__", "of unknown version")
    where = f"{cls.__module__}.{cls.__qualname__} ({module.__name__ if module else cls.__module__} {version})"

    def _make_request(client: Any, *args: Any, **kwargs: Any) -> Any:
        if interceptor.intercepts(client, {"url": client.meta.endpoint_url}):
            raise UnservableClientError(
                f"amplify_mock cannot answer Amplify calls from {where}: its _make_request takes "
                f"{list(inspect.signature(original).parameters)}, not {_SERVED_PARAMETERS}. "
                "The call was not sent. Use a version amplify_mock supports, or a boto3 client."
            )
        return original(client, *args, **kwargs)

    return _make_request
