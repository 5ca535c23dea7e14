variable "manage_features" {
  description = "Enable (and keep enabled) the organization features RootCredentialsManagement and RootSessions. Set to false when another configuration manages them (only one may), or when the IAM delegated administrator runs the module (only the management account can enable them). Turning it off stops managing the features without disabling them, unless disable_features_on_destroy is true."
  type        = bool
  default     = true
  nullable    = false
}

variable "disable_features_on_destroy" {
  description = "Whether destroying the module, or setting manage_features = false, disables RootCredentialsManagement and RootSessions for the whole organization. false (the default): the features stay on and the module only stops managing them."
  type        = bool
  default     = false
  nullable    = false
}

variable "manage_trusted_access" {
  description = "With manage_features, also enable IAM trusted access in AWS Organizations (the features need it)."
  type        = bool
  default     = true
  nullable    = false
}

variable "organizational_unit_ids" {
  description = "Scope: the member accounts of these organizational units (ou-...) and of their child units at any depth. null: the whole organization."
  type        = list(string)
  default     = null

  validation {
    condition = var.organizational_unit_ids == null ? true : alltrue([
      for id in var.organizational_unit_ids : can(regex("^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$", id))
    ])
    error_message = "organizational_unit_ids must hold organizational unit ids such as ou-ab12-cd34ef56 (or the root id r-ab12); use null for the whole organization."
  }
}

variable "exclude_account_ids" {
  description = "Member accounts left out of the scope (their root credentials are not touched)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.exclude_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "exclude_account_ids must hold 12-digit account ids, as strings (keep leading zeros)."
  }
}

variable "credential_types" {
  description = "Kinds of root credentials to delete and keep absent in every member account in scope: password, access_keys, signing_certificates, mfa_devices."
  type        = list(string)
  default     = ["password", "access_keys", "signing_certificates", "mfa_devices"]
  nullable    = false

  validation {
    condition     = length(var.credential_types) > 0 && alltrue([for t in var.credential_types : contains(["password", "access_keys", "signing_certificates", "mfa_devices"], t)])
    error_message = "credential_types must name at least one of password, access_keys, signing_certificates, mfa_devices."
  }
}

variable "credentials_resource" {
  description = "How member accounts' root credentials are kept absent. \"per_account\" (the default): one rootaccess_member_credentials_absent per member, in ten shards; each account's state and plan on its own, best up to a few thousand members. \"scope\": one rootaccess_org_credentials_absent for the whole scope (the organization, or organizational_unit_ids), whose state holds only the accounts with credentials: for thousands of members, and accounts that join are covered by the next plan. Recovery accounts keep a per-account resource (without password) either way. Switching changes nothing in AWS: see the README."
  type        = string
  default     = "per_account"

  validation {
    condition     = contains(["per_account", "scope"], var.credentials_resource)
    error_message = "credentials_resource must be \"per_account\" or \"scope\"."
  }
}

variable "password_recovery_account_ids" {
  description = "Member accounts in scope whose root mailbox owner may recover the root password: they get a recovery login profile instead of no password (their other root credentials are still deleted)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.password_recovery_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "password_recovery_account_ids must hold 12-digit account ids, as strings."
  }
}

variable "locked_buckets" {
  description = "Buckets whose policy locks everyone out: the policy is deleted, or replaced by replacement_policy (JSON)."
  type = list(object({
    account_id         = string
    bucket             = string
    replacement_policy = optional(string)
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for b in var.locked_buckets : can(regex("^[0-9]{12}$", b.account_id))])
    error_message = "Every locked_buckets entry needs account_id, a 12-digit account id as a string."
  }
  validation {
    condition     = length(distinct([for b in var.locked_buckets : "${b.account_id}/${b.bucket}"])) == length(var.locked_buckets)
    error_message = "locked_buckets names the same bucket twice."
  }
}

variable "locked_queues" {
  description = "SQS queues whose policy locks everyone out: the policy is removed, or replaced by replacement_policy (JSON)."
  type = list(object({
    account_id         = string
    queue_url          = string
    replacement_policy = optional(string)
  }))
  default  = []
  nullable = false

  validation {
    condition = alltrue([
      for q in var.locked_queues : can(regex("^https?://[^/]+/${q.account_id}/[A-Za-z0-9_-]{1,80}(\\.fifo)?$", q.queue_url))
    ])
    error_message = "Every locked_queues entry needs queue_url https://sqs.<region>.amazonaws.com/<account_id>/<queue name> (as aws sqs get-queue-url prints it), of a queue in its own account_id."
  }
  validation {
    condition     = length(distinct([for q in var.locked_queues : q.queue_url])) == length(var.locked_queues)
    error_message = "locked_queues names the same queue twice."
  }
}
