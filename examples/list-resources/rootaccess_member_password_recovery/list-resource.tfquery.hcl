# Member accounts whose root user has a login profile, to adopt as
# rootaccess_member_password_recovery (destroying one deletes the profile).
list "rootaccess_member_password_recovery" "profiles" {
  provider = rootaccess
  config {
    account_ids = ["111122223333", "444455556666"]
  }
}
