# Unlock a queue whenever an incident record is created.
action "rootaccess_unlock_queue_policy" "orders" {
  config {
    account_id = "111122223333"
    queue_url  = "https://sqs.eu-west-1.amazonaws.com/111122223333/orders"
  }
}

resource "terraform_data" "incident" {
  input = "INC-1234"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.rootaccess_unlock_queue_policy.orders]
    }
  }
}
