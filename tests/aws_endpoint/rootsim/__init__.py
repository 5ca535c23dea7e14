"""rootsim: a local AWS endpoint for AWS Organizations centralized root access.

moto (pinned in tools/requirements.txt) serves STS, IAM, S3, SQS and
Organizations; rootsim patches in what moto lacks (STS AssumeRoot, the IAM
organization features, root sessions scoped to their task policy, member root
credentials, locking resource policies) and adds a control API for tests.
The package name must not start with "moto" (moto's error handler derives a
service name from the module name of an exception).
"""

from .server import RootSimServer

__all__ = ["RootSimServer"]
