# Import by organization id.
terraform import rootaccess_org_features.this o-a1b2c3d4e5
