# Allow a pipeline role to open only bucket-unlock root sessions.
data "aws_iam_policy_document" "unlock_only" {
  statement {
    actions   = ["sts:AssumeRoot"]
    resources = [provider::rootaccess::root_user_arn("111122223333")]
    condition {
      test     = "StringEquals"
      variable = "sts:TaskPolicyArn"
      values   = [provider::rootaccess::task_policy_arn("S3UnlockBucketPolicy")]
    }
  }
}
