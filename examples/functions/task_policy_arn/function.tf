# An identity policy that lets a pipeline open only bucket-unlock root
# sessions in one member account.
output "unlock_only_policy" {
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "sts:AssumeRoot"
      Resource = provider::rootaccess::root_user_arn("111122223333")
      Condition = {
        StringEquals = {
          "sts:TaskPolicyArn" = provider::rootaccess::task_policy_arn("S3UnlockBucketPolicy")
        }
      }
    }]
  })
}
