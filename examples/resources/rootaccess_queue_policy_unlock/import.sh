# The queue URL
terraform import rootaccess_queue_policy_unlock.jobs https://sqs.us-east-1.amazonaws.com/111122223333/example-locked-jobs
