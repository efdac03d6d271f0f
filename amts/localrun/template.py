"""The synthesized CloudFormation template, read as the offline run needs it: roles, policies, functions, machine.

Intrinsic functions are resolved the way CloudFormation would in one fixed local account and region; physical
names are chosen here (CloudFormation would generate them). Only what the template of `infra/stack.py` uses is
supported; anything else is an error naming the construct, never a silent guess.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from amts.errors import AmtsError
from amts.pipeline import wiring

REPO = Path(__file__).resolve().parent.parent.parent
REGION = "us-east-1"
ACCOUNT = "123456789012"
PARTITION = "aws"
BUCKET = "amts-local-book"
BOOK_BUCKET_ID_PREFIX = "Book"  # the logical id CDK gives the book bucket starts with the construct id


@dataclass
class Role:
    logical_id: str
    trust: dict
    policies: dict[str, dict] = field(default_factory=dict)  # policy name -> resolved document

    @property
    def name(self) -> str:
        return self.logical_id

    @property
    def arn(self) -> str:
        return f"arn:{PARTITION}:iam::{ACCOUNT}:role/{self.name}"

    @property
    def service(self) -> str | None:
        """The service principal that may assume the role (lambda, states, translate)."""
        for statement in self.trust.get("Statement", []):
            service = (statement.get("Principal") or {}).get("Service")
            if isinstance(service, str):
                return service.split(".", 1)[0]
        return None


@dataclass
class Function:
    logical_id: str
    name: str
    handler: str
    role: str  # logical id of the execution role
    environment: dict[str, str]

    @property
    def arn(self) -> str:
        return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{self.name}"


class Template:
    """One synthesized stack: `Template.load(path)` or `Template.synthesize(context)`."""

    def __init__(self, body: dict, source: str = "template"):
        self.body = body
        self.source = source
        self.resources: dict[str, dict] = body.get("Resources", {})
        self.bucket_id = next(
            (
                k
                for k, v in self.resources.items()
                if v["Type"] == "AWS::S3::Bucket" and k.startswith(BOOK_BUCKET_ID_PREFIX)
            ),
            None,
        )
        if self.bucket_id is None:
            raise AmtsError(
                f"{source}: no book bucket (AWS::S3::Bucket `{BOOK_BUCKET_ID_PREFIX}...`) in the template"
            )
        self.functions = self._functions()
        self.roles = self._roles()

    # ------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: Path) -> "Template":
        try:
            return cls(json.loads(Path(path).read_text(encoding="utf-8")), source=str(path))
        except FileNotFoundError:
            raise AmtsError(f"template {path} does not exist (run `make synth` first)") from None
        except json.JSONDecodeError as exc:
            raise AmtsError(f"template {path} is not JSON: {exc.msg} (line {exc.lineno})") from None

    @classmethod
    def synthesize(cls, context: dict[str, Any] | None = None) -> "Template":
        """Synthesize the CDK app in-process with cdk.json's context (plus `context`), as `make synth` does.

        The Lambda code asset is an empty folder: the offline run imports the handlers from this checkout."""
        import aws_cdk as cdk

        from infra.app import build_app

        values = json.loads((REPO / "cdk.json").read_text(encoding="utf-8")).get("context", {})
        values.update(context or {})
        with tempfile.TemporaryDirectory(prefix="amts-synth-") as tmp:
            code = Path(tmp) / "code"
            (code / "lambdas").mkdir(parents=True)
            values.update({"amts:lambdaCodeDir": str(code), "amts:lambdaDepsDir": "none"})
            app, stack = build_app(cdk.App(outdir=str(Path(tmp) / "cdk.out"), context=values))
            assembly = app.synth()
            path = Path(assembly.directory) / f"{stack.stack_name}.template.json"
            return cls(json.loads(path.read_text(encoding="utf-8")), source="in-process synth")

    # ------------------------------------------------------------ intrinsic functions
    def physical_name(self, logical_id: str) -> str:
        kind = self.resources[logical_id]["Type"]
        if logical_id == self.bucket_id:
            return BUCKET
        if kind == "AWS::Lambda::Function":
            return self.functions[logical_id].name if hasattr(self, "functions") else logical_id
        if kind == "AWS::S3::Bucket":
            return logical_id.lower()
        if kind == "AWS::StepFunctions::StateMachine":
            return self.state_machine_arn
        props = self.resources[logical_id].get("Properties", {})
        for key in ("LogGroupName", "StateMachineName", "RoleName"):
            if isinstance(props.get(key), str):
                return props[key]
        return logical_id

    def arn_of(self, logical_id: str) -> str:
        kind = self.resources[logical_id]["Type"]
        name = self.physical_name(logical_id)
        arns = {
            "AWS::S3::Bucket": f"arn:{PARTITION}:s3:::{name}",
            "AWS::IAM::Role": f"arn:{PARTITION}:iam::{ACCOUNT}:role/{name}",
            "AWS::Lambda::Function": f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT}:function:{name}",
            "AWS::Logs::LogGroup": f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT}:log-group:{name}:*",
        }
        if kind not in arns:
            raise AmtsError(
                f"{self.source}: Fn::GetAtt Arn of {logical_id} ({kind}) is not supported offline"
            )
        return arns[kind]

    def resolve(self, value: Any) -> Any:
        """CloudFormation's intrinsic functions (Ref, Fn::GetAtt, Fn::Join) and pseudo parameters."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                pseudo = {
                    "AWS::Partition": PARTITION,
                    "AWS::Region": REGION,
                    "AWS::AccountId": ACCOUNT,
                    "AWS::URLSuffix": "amazonaws.com",
                }
                return pseudo[arg] if arg in pseudo else self.physical_name(arg)
            if key == "Fn::GetAtt":
                logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                if attribute != "Arn":
                    raise AmtsError(
                        f"{self.source}: Fn::GetAtt {logical_id}.{attribute} is not supported offline"
                    )
                return self.arn_of(logical_id)
            if key == "Fn::Join":
                separator, parts = arg
                return separator.join(str(self.resolve(p)) for p in parts)
            if key.startswith("Fn::"):
                raise AmtsError(f"{self.source}: {key} is not supported offline")
        return {k: self.resolve(v) for k, v in value.items()}

    # ------------------------------------------------------------ what the offline run creates
    def _functions(self) -> dict[str, Function]:
        by_handler = {step.handler: step for step in wiring.STEPS}
        found = {}
        for logical_id, resource in self.resources.items():
            if resource["Type"] != "AWS::Lambda::Function":
                continue
            props = resource["Properties"]
            step = by_handler.get(props.get("Handler", ""))
            if step is None:
                continue  # CDK's own helpers (bucket notifications): not part of a run
            found[logical_id] = Function(
                logical_id=logical_id,
                name=step.function_name,
                handler=step.handler,
                role=props["Role"]["Fn::GetAtt"][0],
                environment={},
            )
        for function in found.values():  # resolved once every function has its name
            variables = (
                self.resources[function.logical_id]["Properties"].get("Environment", {}).get("Variables", {})
            )
            function.environment = {k: str(v) for k, v in self.resolve(variables).items()}
        return found

    def _roles(self) -> dict[str, Role]:
        roles = {
            logical_id: Role(
                logical_id,
                trust=self.resolve(resource["Properties"]["AssumeRolePolicyDocument"]),
                policies={
                    p["PolicyName"]: self.resolve(p["PolicyDocument"])
                    for p in resource["Properties"].get("Policies", [])
                },
            )
            for logical_id, resource in self.resources.items()
            if resource["Type"] == "AWS::IAM::Role"
        }
        for logical_id, resource in self.resources.items():
            if resource["Type"] != "AWS::IAM::Policy":
                continue
            props = resource["Properties"]
            document = self.resolve(props["PolicyDocument"])
            for role in props.get("Roles", []):
                roles[role["Ref"]].policies[props.get("PolicyName", logical_id)] = document
        return roles

    @property
    def state_machine(self) -> tuple[str, dict]:
        """(logical id, properties) of the one state machine."""
        machines = [
            (k, v["Properties"])
            for k, v in self.resources.items()
            if v["Type"] == "AWS::StepFunctions::StateMachine"
        ]
        if len(machines) != 1:
            raise AmtsError(f"{self.source}: expected one state machine, found {len(machines)}")
        return machines[0]

    @property
    def state_machine_name(self) -> str:
        _, props = self.state_machine
        return props.get("StateMachineName") or "amts-translate-book"

    @property
    def state_machine_arn(self) -> str:
        return f"arn:{PARTITION}:states:{REGION}:{ACCOUNT}:stateMachine:{self.state_machine_name}"

    def state_machine_role(self) -> Role:
        _, props = self.state_machine
        return self.roles[props["RoleArn"]["Fn::GetAtt"][0]]

    def definition(self) -> str:
        """The ASL with its DefinitionSubstitutions applied, as Step Functions receives it."""
        from amts.localrun.asl import render_definition

        _, props = self.state_machine
        substitutions = {k: str(self.resolve(v)) for k, v in props.get("DefinitionSubstitutions", {}).items()}
        text = props.get("DefinitionString")
        if not isinstance(text, str):
            text = self.resolve(text)
        return render_definition(substitutions, text=text)

    def role_for_service(self, service: str) -> Role:
        """The one role a service principal assumes (`translate` for the data-access role)."""
        matches = [r for r in self.roles.values() if r.service == service]
        if len(matches) != 1:
            raise AmtsError(
                f"{self.source}: expected one role for {service}.amazonaws.com, found {len(matches)}"
            )
        return matches[0]
