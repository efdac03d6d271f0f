"""The AWS CDK app: one stack with the bucket, the S3 trigger, the Lambdas and the state machine."""
