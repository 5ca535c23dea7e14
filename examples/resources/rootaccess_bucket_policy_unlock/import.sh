# <account_id>/<bucket>
terraform import rootaccess_bucket_policy_unlock.logs 111122223333/example-locked-logs
