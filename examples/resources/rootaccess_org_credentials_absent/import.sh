# The whole organization:
terraform import rootaccess_org_credentials_absent.all o-a1b2c3d4e5/organization
# Organizational units, joined with commas:
terraform import rootaccess_org_credentials_absent.sandbox o-a1b2c3d4e5/ou-ab12-cdef3456
