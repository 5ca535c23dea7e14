# By member account id. The next plan deletes whatever root credentials it has.
terraform import rootaccess_member_credentials_absent.dev 111111111111
