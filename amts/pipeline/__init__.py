"""The serverless pipeline's logic, one module a Step Functions state.

Each function here takes an S3 client and small JSON-able arguments (keys, ids, counts) and returns a
small dict: the Lambda handlers in `lambdas/` only parse events and call these, and the offline run
(`amts local-run`) executes the same handlers inside moto's Step Functions interpreter.
"""
