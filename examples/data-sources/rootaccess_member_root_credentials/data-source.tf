data "rootaccess_member_root_credentials" "dev" {
  account_id = "111111111111"
}

output "dev_root_credentials" {
  value = {
    password        = data.rootaccess_member_root_credentials.dev.password_present
    access_key_ids  = data.rootaccess_member_root_credentials.dev.access_keys[*].access_key_id
    mfa_serials     = data.rootaccess_member_root_credentials.dev.mfa_serials
    any_credentials = data.rootaccess_member_root_credentials.dev.credentials_present
  }
}
