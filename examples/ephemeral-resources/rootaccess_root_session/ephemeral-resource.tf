# A root session in a member account, limited to auditing root credentials,
# configuring a second provider. Nothing of it is stored in state or plans.
ephemeral "rootaccess_root_session" "audit" {
  account_id       = "111122223333"
  task_policy      = "IAMAuditRootUserCredentials"
  duration_seconds = 300
}

provider "aws" {
  alias      = "member_root"
  region     = "us-east-1"
  access_key = ephemeral.rootaccess_root_session.audit.access_key_id
  secret_key = ephemeral.rootaccess_root_session.audit.secret_access_key
  token      = ephemeral.rootaccess_root_session.audit.session_token
}
