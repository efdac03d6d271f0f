"""What every handler shares: Powertools observability, typed events, and the AWS clients."""

from __future__ import annotations

import functools
from contextlib import contextmanager
import os
import threading
from typing import Any, Callable, Iterator

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from amts.pipeline.events import ChapterEvent, LanguageEvent
from amts.pipeline.settings import Settings
from amts.pipeline.store import Store

__all__ = [
    "ChapterEvent",
    "LanguageEvent",
    "bound_clients",
    "client",
    "logger",
    "metrics",
    "settings",
    "state_handler",
    "store_for",
    "tracer",
]

SERVICE = "amts"
logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace="AMTS", service=SERVICE)


_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def client(service: str) -> Any:
    """One boto3 client per service and process: reused across warm invocations, created once under a lock
    (creating clients from the shared default session is not thread-safe; the offline run calls handlers from
    Step Functions worker threads)."""
    with _clients_lock:
        if service not in _clients:
            _clients[service] = boto3.client(service)
        return _clients[service]


@contextmanager
def bound_clients(clients: dict[str, Any]) -> Iterator[None]:
    """Serve `client()` from these clients while the block runs, then restore the cache: the offline run binds
    each function's clients, signed with its own role, as if it ran in its own process."""
    with _clients_lock:
        saved = dict(_clients)
        _clients.clear()
        _clients.update(clients)
    try:
        yield
    finally:
        with _clients_lock:
            _clients.clear()
            _clients.update(saved)


def store_for(bucket: str) -> Store:
    return Store(client("s3"), bucket)


def settings() -> Settings:
    return Settings.from_env()


def state_handler(name: str) -> Callable:
    """Wrap a handler body with logging context, tracing and one invocation metric per state."""

    def decorate(body: Callable[[dict, Any], dict]) -> Callable[[dict, Any], dict]:
        @functools.wraps(body)
        @logger.inject_lambda_context(log_event=False)
        @tracer.capture_lambda_handler(capture_response=False)
        @metrics.log_metrics
        def handler(event: dict, context: Any) -> dict:
            if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
                metrics.clear_metrics()  # disabled metrics are never flushed: drop the previous invocation's
            metrics.add_metric(name=f"{name}_invocations", unit=MetricUnit.Count, value=1)
            result = body(event, context)
            logger.info("state done", extra={"state": name, "result": result})
            return result

        return handler

    return decorate
