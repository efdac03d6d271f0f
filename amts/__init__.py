"""AMTS: Auto Machine Translation and Synchronization for markdown books.

The pure core shared by the `amts` CLI and the AWS Lambda handlers.
"""

__version__ = "0.1.0"
