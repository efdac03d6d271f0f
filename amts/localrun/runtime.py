"""Lambda, in-process: `lambda.Invoke` answered by running the template's handler with its role and environment."""

from __future__ import annotations

import io
import json
import os
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from amts.localrun.iam import Credentials, Identities, allowed, denial
from amts.localrun.template import ACCOUNT, REGION, Function

# Held while a handler runs with its environment in os.environ, and by anything that iterates os.environ
# from another thread (botocore client creation reads proxies with os.environ.items()): restoring the
# environment deletes keys, and iterating while a key goes raises KeyError (a language branch lost).
ENVIRONMENT_LOCK = threading.RLock()


@dataclass
class _Context:
    """The attributes of a Lambda context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"


@dataclass
class Deployed:
    """One function as Lambda would run it: handler, environment, and clients signed with its role."""

    function: Function
    handler: Callable[[dict, Any], dict]
    environment: dict[str, str]
    clients: dict[str, Any]


class LambdaRuntime:
    """Answers `lambda.Invoke` by running the handler in-process; faults can be injected per call.

    Each function runs with the environment variables its template resource declares and boto3 clients
    signed with STS credentials of its execution role, so S3 enforces the role's policy. Real Lambda runs
    each function in its own process; here invocations take turns (a lock), because the environment and
    the handlers' cached clients are process-wide.
    """

    def __init__(self, identities: Identities | None = None, state_machine_role=None) -> None:
        self.functions: dict[str, Deployed] = {}
        self.invocations: list[tuple[str, dict]] = []
        # moto keeps no history for distributed Map children: this is what each branch did, in call order
        self.timeline: list[dict] = []
        self._identities = identities
        self._caller_role = state_machine_role
        self._faults: list[tuple[str, Callable[[dict], bool], Exception]] = []
        self._events: Any = None
        self._lock = ENVIRONMENT_LOCK

    def deploy(
        self,
        function: Function,
        environment: dict[str, str],
        credentials: Credentials | None,
        install: Callable,
    ) -> None:
        """Make `function` invocable; `install(session)` attaches in-process fakes (Translate) to its session."""
        import importlib

        import boto3

        module = importlib.import_module(function.handler.rsplit(".", 1)[0])
        session = credentials.session() if credentials else boto3.Session(region_name=REGION)
        install(session)
        clients = {service: session.client(service) for service in ("s3", "translate")}
        self.functions[function.name] = Deployed(function, module.handler, environment, clients)

    def add_handler(
        self, name: str, handler: Callable[[dict, Any], dict], environment: dict[str, str]
    ) -> None:
        """A function outside the template (tests, or a trigger path being built): no role, operator rights."""
        self.functions[name] = Deployed(
            Function(name, name, name, "", environment), handler, environment, clients={}
        )

    def inject(self, module: str, when: Callable[[dict], bool], error: Exception) -> None:
        """Raise `error` from `module`'s handler for every event matching `when`."""
        self._faults.append((f"amts-{module.replace('_', '-')}", when, error))

    def clear_faults(self) -> None:
        self._faults.clear()

    def install(self, session) -> "LambdaRuntime":
        self._events = session.events
        self._events.register("before-call.lambda.Invoke", self._invoke, unique_id="amts-local-lambda")
        return self

    def uninstall(self) -> None:
        if self._events is not None:
            self._events.unregister("before-call.lambda.Invoke", unique_id="amts-local-lambda")
            self._events = None

    # ------------------------------------------------------------ one invocation
    def _invoke(self, params: dict, request_signer: Any = None, **_: Any):
        from botocore.awsrequest import AWSResponse

        target = params["url_path"].split("/functions/", 1)[1].split("/", 1)[0]
        name = target.replace("%3A", ":").rsplit(":function:", 1)[-1].split(":")[0]
        request_id = str(uuid.uuid4())
        http = AWSResponse("https://lambda.local/", 200, {"x-amzn-requestid": request_id}, None)
        refused = self._refusal(name, request_signer)
        if refused:
            return http, {
                "Error": {"Code": "AccessDeniedException", "Message": refused},
                "ResponseMetadata": {"RequestId": request_id, "HTTPStatusCode": 403, "HTTPHeaders": {}},
            }
        body = params.get("body") or b"{}"
        event = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
        self.invocations.append((name, event))
        started = time.perf_counter()
        error = None
        with self._lock:
            try:
                result = self._run(name, event)
            except Exception as exc:  # what Lambda does with an unhandled exception
                error = exc
                result = {
                    "errorType": type(exc).__name__,
                    "errorMessage": str(exc),
                    "stackTrace": traceback.format_exception(exc)[-3:],
                }
        self.timeline.append(
            {
                "function": name,
                "lang": event.get("lang"),
                "chapter": (event.get("chapter") or {}).get("path"),
                "outcome": type(error).__name__ if error else "ok",
                **({"error": str(error)} if error else {}),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )
        parsed = {
            "StatusCode": 200,
            "Payload": io.BytesIO(json.dumps(result).encode("utf-8")),
            "ResponseMetadata": {"RequestId": request_id, "HTTPStatusCode": 200, "HTTPHeaders": {}},
        }
        if error is not None:
            parsed["FunctionError"] = "Unhandled"
        return http, parsed

    def _refusal(self, name: str, request_signer: Any) -> str | None:
        """lambda:InvokeFunction checked against the caller's role (the state machine's, in a run)."""
        deployed = self.functions.get(name)
        arn = deployed.function.arn if deployed else f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        if deployed is None:
            return f"Function not found: {arn}"
        try:
            role = self._identities.caller(request_signer) if self._identities else None
        except PermissionError as exc:
            return str(exc)
        if role is not None and not allowed(role, "lambda:InvokeFunction", arn):
            return denial(role, "lambda:InvokeFunction", arn)
        return None

    def _run(self, name: str, event: dict) -> dict:
        deployed = self.functions[name]
        for fn, when, error in self._faults:
            if fn == name and when(event):
                raise error
        import lambdas.common  # late: Powertools reads its settings from the environment at import

        saved = {k: os.environ.get(k) for k in (*deployed.environment, "AWS_LAMBDA_FUNCTION_NAME")}
        os.environ.update({**deployed.environment, "AWS_LAMBDA_FUNCTION_NAME": name})
        try:
            with lambdas.common.bound_clients(deployed.clients):  # signed with this function's role
                return deployed.handler(event, _Context(name))
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
