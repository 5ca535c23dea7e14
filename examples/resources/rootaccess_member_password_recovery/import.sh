# By member account id; the root user must have a login profile.
terraform import rootaccess_member_password_recovery.prod 333333333333
