output "member_root" {
  value = provider::rootaccess::root_user_arn("111122223333")
  # => "arn:aws:iam::111122223333:root"
}
