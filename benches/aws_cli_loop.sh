#!/usr/bin/env bash
# The job people script today, for the org-scale benchmark to compare with
# (benches/terraform_org.rs runs it): the AWS CLI, one command at a time, as
# the management account. It enables the two organization features, then for
# every ACTIVE member account opens an audit root session, lists the root
# credentials, opens a deletion root session and deletes what it found, then
# unlocks one bucket and one queue by deleting their policies. Each root
# session's secrets are exported into the shell, as such loops do.
#
# Environment: the management account's AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION and AWS_ENDPOINT_URL (the CLI
# sends every service there), plus
#   LOOP_SKIP      account ids to leave alone (space separated)
#   LOOP_BUCKET    ACCOUNT:BUCKET to unlock
#   LOOP_QUEUE     ACCOUNT:QUEUE_URL to unlock
# Prints one line per member handled.
set -euo pipefail

mgmt_key="$AWS_ACCESS_KEY_ID" mgmt_secret="$AWS_SECRET_ACCESS_KEY"
unset AWS_SESSION_TOKEN

as_management() {
  export AWS_ACCESS_KEY_ID="$mgmt_key" AWS_SECRET_ACCESS_KEY="$mgmt_secret"
  unset AWS_SESSION_TOKEN
}

# Opens a root session in account $1 for task policy $2 and exports it.
as_root_of() {
  as_management
  local creds
  creds=$(aws sts assume-root --target-principal "$1" \
    --task-policy-arn "arn=arn:aws:iam::aws:policy/root-task/$2" \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
  read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<<"$creds"
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
}

aws organizations enable-aws-service-access --service-principal iam.amazonaws.com
aws iam enable-organizations-root-credentials-management >/dev/null
aws iam enable-organizations-root-sessions >/dev/null
management=$(aws organizations describe-organization --query 'Organization.MasterAccountId' --output text)

for account in $(aws organizations list-accounts --query 'Accounts[?State==`ACTIVE`].Id' --output text); do
  [[ "$account" == "$management" || " ${LOOP_SKIP:-} " == *" $account "* ]] && continue
  as_root_of "$account" IAMAuditRootUserCredentials
  password=$(aws iam get-login-profile >/dev/null 2>&1 && echo yes || echo no)
  keys=$(aws iam list-access-keys --query 'AccessKeyMetadata[].AccessKeyId' --output text)
  certs=$(aws iam list-signing-certificates --query 'Certificates[].CertificateId' --output text)
  mfas=$(aws iam list-mfa-devices --query 'MFADevices[].SerialNumber' --output text)
  if [[ "$password" == no && -z "$keys$certs$mfas" ]]; then
    echo "$account clean"
    continue
  fi
  as_root_of "$account" IAMDeleteRootUserCredentials
  [[ "$password" == yes ]] && aws iam delete-login-profile
  for key in $keys; do aws iam delete-access-key --access-key-id "$key"; done
  for cert in $certs; do aws iam delete-signing-certificate --certificate-id "$cert"; done
  for mfa in $mfas; do aws iam deactivate-mfa-device --serial-number "$mfa"; done
  echo "$account cleaned: password=$password keys=[$keys] certificates=[$certs] mfa=[$mfas]"
done

if [[ -n "${LOOP_BUCKET:-}" ]]; then
  as_root_of "${LOOP_BUCKET%%:*}" S3UnlockBucketPolicy
  aws s3api get-bucket-policy --bucket "${LOOP_BUCKET#*:}" --query Policy --output text
  aws s3api delete-bucket-policy --bucket "${LOOP_BUCKET#*:}"
fi
if [[ -n "${LOOP_QUEUE:-}" ]]; then
  as_root_of "${LOOP_QUEUE%%:*}" SQSUnlockQueuePolicy
  # AWS CLI v1 sends SQS calls to the legacy queue.amazonaws.com host
  # whatever AWS_ENDPOINT_URL says; name the endpoint explicitly.
  aws sqs get-queue-attributes --endpoint-url "$AWS_ENDPOINT_URL" --queue-url "${LOOP_QUEUE#*:}" \
    --attribute-names Policy --output text
  aws sqs set-queue-attributes --endpoint-url "$AWS_ENDPOINT_URL" --queue-url "${LOOP_QUEUE#*:}" \
    --attributes Policy=''
fi
as_management
