//! Every integration and acceptance test of the provider, in one binary:
//! one module per Terraform object or concern, sharing the harness in
//! `support` (the real Terraform CLI, the local AWS endpoint, a plugin
//! client). One binary links once; a binary per file linked the whole
//! provider twenty times.

mod support;

mod actions;
mod bucket_policy_unlock;
mod compatibility;
mod demo;
mod docs;
mod ephemeral_root_session;
mod examples;
mod functions;
mod honest_failures;
mod identity;
mod layers;
mod lifecycle_properties;
mod member_credentials_absent;
mod member_password_recovery;
mod member_root_credentials;
mod module;
mod org_credentials_absent;
mod org_features;
mod org_root_credentials;
mod organization;
mod plugin_security;
mod proto_wire_compat;
mod provider_config;
mod query;
mod queue_policy_unlock;
mod release;
mod root_sessions;
mod scp_guardrails;
mod state_upgrade;
