"""The serverless wiring, defined once: which handler serves which state, with what memory, time and access.

`infra/stack.py` builds the Lambda functions and their IAM policies from `STEPS`, and the offline run
(`amts.localrun`) serves the same states with the same handlers. S3 access is named by the prefixes of
`amts.pipeline.layout`, so a key and the permission to read it come from one definition.
"""

from __future__ import annotations

from dataclasses import dataclass

from amts.pipeline import layout as L


@dataclass(frozen=True)
class Step:
    """One Lambda-backed state of `statemachine/translate_book.asl.json`."""

    substitution: str  # the ASL's `${...}` placeholder for the function ARN
    module: str  # lambdas.<module>.handler
    memory_mb: int
    timeout_seconds: int
    reads: tuple[str, ...] = ()  # layout prefixes read with s3:GetObject (HEAD included)
    writes: tuple[str, ...] = ()  # layout prefixes written with s3:PutObject
    deletes: tuple[str, ...] = ()  # layout prefixes whose objects it removes (s3:DeleteObject)
    lists: bool = True  # s3:ListBucket: a missing key answers 404, not 403, and listings work
    translate_actions: tuple[str, ...] = ()  # on the stack's parallel-data resources

    @property
    def handler(self) -> str:
        return f"lambdas.{self.module}.handler"

    @property
    def ident(self) -> str:
        """CamelCase construct id: `build_parallel_data` -> `BuildParallelData`."""
        return "".join(part.title() for part in self.module.split("_"))

    @property
    def function_name(self) -> str:
        """The name the offline run gives the function (CloudFormation generates the deployed one)."""
        return "amts-" + self.module.replace("_", "-")


# Sync and alignment are the heavy steps.
STEPS: tuple[Step, ...] = (
    Step(
        "PlanFunctionArn",
        "plan",
        512,
        300,
        reads=(L.SOURCE, L.TRANSLATIONS, L.ORIGIN, L.STATE),
        writes=(L.RUNS,),
    ),
    Step(
        "BuildParallelDataFunctionArn",
        "build_parallel_data",
        2048,
        900,
        reads=(L.TRANSLATIONS, L.ORIGIN),
        writes=(L.PARALLEL_DATA,),
    ),
    Step(
        "ParallelDataFunctionArn",
        "parallel_data",
        256,
        60,
        # CreateParallelData and UpdateParallelData read the CSV with the caller's rights.
        reads=(L.PARALLEL_DATA,),
        lists=False,
        translate_actions=(
            "translate:CreateParallelData",
            "translate:UpdateParallelData",
            "translate:GetParallelData",
            "translate:DeleteParallelData",
        ),
    ),
    Step(
        "PrepareBatchFunctionArn",
        "prepare_batch",
        2048,
        900,
        reads=(L.SOURCE, L.TRANSLATIONS, L.ORIGIN, L.STATE, L.RUNS, L.PARALLEL_DATA, L.MT_CACHE),
        writes=(L.BATCH, L.RUNS),
    ),
    Step(
        "AssembleFunctionArn",
        "assemble",
        1024,
        300,
        reads=(L.SOURCE, L.TRANSLATIONS, L.ORIGIN, L.RUNS, L.BATCH),
        writes=(L.OUTPUT, L.RUNS, L.MT_CACHE),  # the job's translations into the MT cache
    ),
    Step(
        "EvaluateFunctionArn",
        "evaluate",
        1024,
        300,
        # the held-out sample's translation is in the batch job's output
        reads=(L.RUNS, L.BATCH),
        # a chapter's fingerprint (work/state/) only once its review is written: a failure redoes it
        writes=(L.REPORTS, L.RUNS, L.MT_CACHE, L.STATE),
    ),
    Step("ReportFunctionArn", "report", 512, 120, reads=(L.RUNS,), writes=(L.REPORTS, L.RUNS)),
)
# Not a state: the starter the uploads queue invokes (infra/uploads.py, amts/pipeline/uploads.py). It heads
# the uploaded chapters, keeps their keys until a run takes them, and starts and lists executions.
STARTER = Step(
    "",
    "start_run",
    256,
    60,
    reads=(L.SOURCE, L.PENDING_UPLOADS),
    writes=(L.PENDING_UPLOADS,),
    deletes=(L.PENDING_UPLOADS,),
)
STARTER_ACTIONS = ("states:StartExecution", "states:ListExecutions")  # on the book's state machine
STEPS_BY_SUBSTITUTION = {step.substitution: step for step in STEPS}
STEPS_BY_MODULE = {step.module: step for step in STEPS}

# Amazon Translate, acting as the data-access role: reads batch input and parallel data, writes batch output.
TRANSLATE_READS = (L.BATCH, L.PARALLEL_DATA)
TRANSLATE_WRITES = (L.BATCH,)
# The state machine itself reads the run manifest (distributed Map ItemReader).
STATE_MACHINE_READS = (L.RUNS,)

# The ASL's other placeholders: the data-access role Translate assumes and the partition of every ARN.
ROLE_SUBSTITUTION = "TranslateDataAccessRoleArn"
PARTITION_SUBSTITUTION = "Partition"


def object_pattern(prefix: str) -> str:
    """The IAM resource suffix (after the bucket ARN) for every object under a layout prefix."""
    return f"{prefix}*"
