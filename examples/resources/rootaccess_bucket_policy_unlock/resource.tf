# A member account locked everyone out of its bucket: delete that policy.
# The plan shows the policy in `removed_policy` before anything is removed.
resource "rootaccess_bucket_policy_unlock" "logs" {
  account_id = "111122223333"
  bucket     = "example-locked-logs"
}

# Or put a corrected policy in its place (here: only insecure transport is
# denied), and run the unlock again whenever `incident` changes.
resource "rootaccess_bucket_policy_unlock" "data" {
  account_id = "111122223333"
  bucket     = "example-locked-data"
  region     = "eu-west-1" # optional: found through S3's redirect when left out

  replacement_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::example-locked-data", "arn:aws:s3:::example-locked-data/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  triggers = {
    incident = "INC-1234"
  }
}

output "removed_from_logs" {
  value = rootaccess_bucket_policy_unlock.logs.removed_policy
}
