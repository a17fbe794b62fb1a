"""A fresh boto3 default session for every mock, without rebuilding what never changes.

Like moto, a mock starts with ``boto3.DEFAULT_SESSION`` unset, so the first ``boto3.client``
of a test makes a session of its own: the test's fake credentials, and no handler, client,
setting or credential of the previous test. Made the ordinary way, that session registers
botocore's ~150 built-in handlers (inspecting each one's signature) and gets a new data loader,
which parses the endpoint table, the service model and its endpoint rules again from JSON: most
of a small test's time, and most of a suite's garbage.

While a mock is active, ``boto3.setup_default_session`` (what ``boto3.client`` calls when there
is no default session) makes the same session faster:

- the built-in handlers are registered once, on a template emitter that no session uses, and
  each session gets a copy of it (botocore copies its emitter the same way for every client);
  what a test registers goes to its copy alone;
- each session has its own data loader, but the loader shares its cache of parsed data files
  with every loader made here with the same search paths. botocore treats those files as
  read-only: the clients of one session share them the same way;
- its credentials are looked up in the environment first, as botocore's chain does, and the
  rest of the chain is built only if the environment has none. The mock puts its fake
  credentials there, so a session no longer builds the whole chain (its instance-metadata and
  container fetchers make an SSL context each) only to take the first provider's answer.
"""

from __future__ import annotations

import copy
import threading
from typing import Any, Dict, Optional, Tuple

import boto3
import botocore.handlers
import botocore.session
from botocore.credentials import CredentialProvider, CredentialResolver, Credentials, EnvProvider
from botocore.hooks import EventAliaser, HierarchicalEmitter

_lock = threading.Lock()
# (botocore's built-in handler list as it was, an emitter with exactly those registered).
_template: Optional[Tuple[Tuple[Any, ...], HierarchicalEmitter]] = None
# Parsed data files, by the loader's search paths (AWS_DATA_PATH changes them).
_loader_caches: Dict[Tuple[str, ...], Dict[Any, Any]] = {}


def _builtin_emitter() -> HierarchicalEmitter:
    """A copy of an emitter holding botocore's built-in handlers, registered as
    ``botocore.session.Session`` registers them."""
    global _template
    specs = tuple(botocore.handlers.BUILTIN_HANDLERS)
    template = _template
    if template is None or template[0] != specs:
        emitter = HierarchicalEmitter()
        events = EventAliaser(emitter)
        for spec in specs:
            if len(spec) == 2:
                events.register(spec[0], spec[1])
            elif spec[2] is botocore.handlers.REGISTER_FIRST:
                events.register_first(spec[0], spec[1])
            elif spec[2] is botocore.handlers.REGISTER_LAST:
                events.register_last(spec[0], spec[1])
        with _lock:
            template = _template = (specs, emitter)
    emitter = copy.copy(template[1])
    # HierarchicalEmitter.__copy__ shares these two dicts with the template; a session fills its
    # lookup cache as it emits, and counts re-registered unique ids in place.
    emitter._lookup_cache = {}
    emitter._unique_id_handlers = {key: dict(value) for key, value in emitter._unique_id_handlers.items()}
    return emitter


class _RestOfChain(CredentialProvider):  # type: ignore[misc]
    """botocore's whole credential chain, built when the environment had no credentials."""

    METHOD = "botocore-chain"

    def __init__(self, session: botocore.session.Session) -> None:
        self._session = session

    def load(self) -> Optional[Credentials]:
        resolver = self._session._create_credential_resolver()
        return resolver.load_credentials()


def _credential_resolver(session: botocore.session.Session) -> CredentialResolver:
    """botocore's resolver, made cheaper where it gives the same answer.

    botocore's chain asks the environment first unless the session was given a profile;
    environment credentials then win over everything after them. So the environment is asked
    alone first, and the rest of the chain is made only if it has none."""
    if session.instance_variables().get("profile") is not None:
        return session._create_credential_resolver()
    return CredentialResolver([EnvProvider(), _RestOfChain(session)])


def new_session(**kwargs: Any) -> boto3.Session:
    """What ``boto3.Session(**kwargs)`` makes, built from the kept parts."""
    core = botocore.session.Session(event_hooks=_builtin_emitter(), include_builtin_handlers=False)
    core.lazy_register_component("credential_provider", lambda: _credential_resolver(core))
    session = boto3.Session(botocore_session=core, **kwargs)
    # boto3 has just made the loader and added its own search path; nothing is loaded yet.
    loader = core.get_component("data_loader")
    key = tuple(loader.search_paths)
    cache = _loader_caches.get(key)
    if cache is None:
        with _lock:
            cache = _loader_caches.setdefault(key, {})
    loader._cache = cache
    return session


def setup_default_session(**kwargs: Any) -> None:
    """``boto3.setup_default_session`` while a mock is active: the same default session, sooner."""
    boto3.DEFAULT_SESSION = new_session(**kwargs)
