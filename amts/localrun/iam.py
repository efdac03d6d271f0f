"""IAM in the offline run: the template's roles created in moto, sessions bound to them, and the checks moto
cannot make because the call never reaches it (Lambda Invoke and Amazon Translate are answered in-process).

S3 requests are checked by moto itself once enforcement is on (`set_initial_no_auth_action_count`).
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

from amts.localrun.template import ACCOUNT, REGION, Role, Template

ADMIN_USER = "amts-local-operator"  # who uploads the book and reads the results: the person at the console


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str
    token: str | None = None

    def session(self) -> Any:
        import boto3

        return boto3.Session(
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            aws_session_token=self.token,
            region_name=REGION,
        )


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _matches(patterns: Any, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), str(p).lower()) for p in _as_list(patterns))


def _condition_holds(condition: dict, context: dict[str, str]) -> bool:
    for operator, pairs in condition.items():
        for key, expected in pairs.items():
            actual = context.get(key)
            if actual is None:
                return False
            if operator == "StringEquals" and actual not in _as_list(expected):
                return False
            if operator == "StringLike" and not _matches(expected, actual):
                return False
            if operator not in ("StringEquals", "StringLike"):
                return False  # not modelled: never grant on a condition we cannot evaluate
    return True


def allowed(role: Role, action: str, resource: str, context: dict[str, str] | None = None) -> bool:
    """Whether the role's identity policies allow the action on the resource (explicit Deny wins)."""
    verdict = False
    for document in role.policies.values():
        for statement in _as_list(document.get("Statement", [])):
            if not _matches(statement.get("Action", []), action) or not _matches(
                statement.get("Resource", []), resource
            ):
                continue
            if not _condition_holds(statement.get("Condition", {}), context or {}):
                continue
            if statement.get("Effect") == "Deny":
                return False
            verdict = True
    return verdict


class Identities:
    """The template's roles in moto, and credentials for each: access key -> role."""

    def __init__(self, template: Template, iam: Any, sts: Any):
        self.template = template
        self._iam, self._sts = iam, sts
        self.by_access_key: dict[str, Role] = {}
        self.operator_key: str | None = None
        for role in template.roles.values():
            iam.create_role(RoleName=role.name, AssumeRolePolicyDocument=json.dumps(role.trust))
            for name, document in role.policies.items():
                iam.put_role_policy(RoleName=role.name, PolicyName=name, PolicyDocument=json.dumps(document))

    def operator(self) -> Credentials:
        """An administrator for the harness itself (upload the book, start executions, read results)."""
        self._iam.create_user(UserName=ADMIN_USER)
        self._iam.put_user_policy(
            UserName=ADMIN_USER,
            PolicyName="operator",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
            ),
        )
        key = self._iam.create_access_key(UserName=ADMIN_USER)["AccessKey"]
        self.operator_key = key["AccessKeyId"]
        return Credentials(key["AccessKeyId"], key["SecretAccessKey"])

    def assume(self, role: Role, session_name: str) -> Credentials:
        """STS credentials of the role, as Lambda, Step Functions or Translate get them."""
        found = self._sts.assume_role(RoleArn=role.arn, RoleSessionName=session_name)["Credentials"]
        credentials = Credentials(found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"])
        self.by_access_key[credentials.access_key] = role
        return credentials

    def caller(self, request_signer: Any) -> Role | None:
        """The role behind a botocore request (None for the operator); unknown credentials are refused, so a
        call signed with anything but a template role or the operator cannot pass unchecked."""
        credentials = getattr(request_signer, "_credentials", None)
        key = getattr(credentials, "access_key", None) or ""
        if key in self.by_access_key:
            return self.by_access_key[key]
        if key == self.operator_key:
            return None
        raise PermissionError(f"the security token {key!r} is not a template role's nor the operator's")


def denial(role: Role, action: str, resource: str) -> str:
    """The message AWS gives for an identity-policy denial."""
    return (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{role.name}/amts is not authorized to perform: {action} "
        f"on resource: {resource} because no identity-based policy allows the {action} action"
    )
