# Deny the root user of every member account everything, except in root
# sessions (sts:AssumeRoot): the guardrail landing zones recommend, without
# blocking centralized root access. Attach it with the AWS provider:
#
#   resource "aws_organizations_policy" "deny_root_user" {
#     name    = "deny-root-user-except-root-sessions"
#     type    = "SERVICE_CONTROL_POLICY"
#     content = data.rootaccess_root_guardrail_policy.this.json
#   }
data "rootaccess_root_guardrail_policy" "this" {}

output "guardrail_scp" {
  value = data.rootaccess_root_guardrail_policy.this.json
}
