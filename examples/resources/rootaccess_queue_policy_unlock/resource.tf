# A member account locked everyone out of its queue: remove that policy.
# The plan shows the policy in `removed_policy` before anything is removed.
resource "rootaccess_queue_policy_unlock" "jobs" {
  account_id = "111122223333"
  queue_url  = "https://sqs.us-east-1.amazonaws.com/111122223333/example-locked-jobs"
}

# Or put a corrected policy in its place, and run the unlock again whenever
# `incident` changes.
resource "rootaccess_queue_policy_unlock" "events" {
  account_id = "111122223333"
  queue_url  = "https://sqs.us-east-1.amazonaws.com/111122223333/example-locked-events"

  replacement_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "KeepTheQueue"
      Effect    = "Deny"
      Principal = { AWS = "*" }
      Action    = "sqs:DeleteQueue"
      Resource  = "arn:aws:sqs:us-east-1:111122223333:example-locked-events"
    }]
  })

  triggers = {
    incident = "INC-1234"
  }
}
