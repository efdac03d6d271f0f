"""One thin AWS Lambda handler per Step Functions state: parse the event, call `amts.pipeline`, return small JSON.

Every function of the stack ships the same code asset; the handler setting (`lambdas.plan.handler`, ...)
picks the state.
"""
