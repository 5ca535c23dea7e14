//! Service control policies: which SCPs sit on a member account's path
//! (the account, each parent OU, the root), to explain a call an SCP denied;
//! and the guardrail that denies the root user everything except in root
//! sessions.

use aws_sdk_organizations::types::{ParentType, PolicyType};

use super::clients::AwsClients;
use super::error::{AwsError, Classify};
use super::partition::Partition;
use super::task_policy::TaskPolicy;

/// One SCP attached on a member account's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachedScp {
    pub id: String,
    pub name: String,
    /// Where it is attached: the account id, an OU id or the root id.
    pub target: String,
    /// Its document names the root user (`...:root`, as `aws:PrincipalArn`
    /// guardrails do).
    pub mentions_root: bool,
    /// Its document tests `aws:AssumedRoot` (an exemption of root sessions).
    pub tests_assumed_root: bool,
}

/// The SCPs attached to `account`, to each OU above it and to the root, in
/// that order (ListParents, ListPoliciesForTarget, DescribePolicy).
pub async fn scps_on_path(aws: &AwsClients, account: &str) -> Result<Vec<AttachedScp>, AwsError> {
    let mut targets = vec![account.to_string()];
    let mut child = account.to_string();
    // An organization nests OUs at most five deep; the bound guards a loop.
    for _ in 0..8 {
        let parents = aws
            .call(async {
                aws.organizations
                    .list_parents()
                    .child_id(&child)
                    .send()
                    .await
                    .classify("organizations:ListParents")
            })
            .await?;
        let Some(parent) = parents.parents().first() else {
            break;
        };
        let id = parent.id().unwrap_or_default().to_string();
        targets.push(id.clone());
        if parent.r#type() == Some(&ParentType::Root) || id.is_empty() {
            break;
        }
        child = id;
    }
    let mut attached = Vec::new();
    for target in targets {
        let mut next: Option<String> = None;
        loop {
            let page = aws
                .call(async {
                    aws.organizations
                        .list_policies_for_target()
                        .target_id(&target)
                        .filter(PolicyType::ServiceControlPolicy)
                        .set_next_token(next.clone())
                        .send()
                        .await
                        .classify("organizations:ListPoliciesForTarget")
                })
                .await?;
            for summary in page.policies() {
                let id = summary.id().unwrap_or_default().to_string();
                let content = policy_content(aws, &id).await?;
                attached.push(AttachedScp {
                    name: summary.name().unwrap_or_default().to_string(),
                    id,
                    target: target.clone(),
                    mentions_root: content.contains(":root"),
                    tests_assumed_root: content.contains("aws:AssumedRoot"),
                });
            }
            next = page.next_token().map(str::to_string);
            if next.is_none() {
                break;
            }
        }
    }
    Ok(attached)
}

async fn policy_content(aws: &AwsClients, id: &str) -> Result<String, AwsError> {
    let out = aws
        .call(async {
            aws.organizations
                .describe_policy()
                .policy_id(id)
                .send()
                .await
                .classify("organizations:DescribePolicy")
        })
        .await?;
    Ok(out
        .policy()
        .and_then(|p| p.content())
        .unwrap_or_default()
        .to_string())
}

/// A call in `account` that an SCP denied, told with the SCPs on the
/// account's path (never relying on AWS naming the policy in its message).
pub(crate) async fn explain(aws: &AwsClients, account: &str, mut denied: AwsError) -> AwsError {
    let listing = match scps_on_path(aws, account).await {
        Ok(scps) if scps.is_empty() => "no SCP is attached on its path".to_string(),
        Ok(scps) => {
            // One entry per policy, with every level it is attached to
            // (FullAWSAccess usually sits on each of them).
            let mut policies: Vec<(&AttachedScp, Vec<&str>)> = Vec::new();
            for s in &scps {
                match policies.iter_mut().find(|(p, _)| p.id == s.id) {
                    Some((_, targets)) => targets.push(&s.target),
                    None => policies.push((s, vec![&s.target])),
                }
            }
            policies
                .iter()
                .map(|(s, targets)| {
                    let about = match (s.mentions_root, s.tests_assumed_root) {
                        (true, false) => {
                            "names the root user and does not exempt root sessions (aws:AssumedRoot)"
                        }
                        (true, true) => "names the root user and tests aws:AssumedRoot",
                        (false, _) => "does not name the root user",
                    };
                    format!(
                        "\"{}\" ({}, attached to {}): {about}",
                        s.name,
                        s.id,
                        targets.join(", ")
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        }
        Err(e) => format!("the SCPs on its path could not be read ({e})"),
    };
    denied.message = format!(
        "{} [service control policies of account {account}, from the account up to the root: {listing}]",
        denied.message
    );
    denied
}

/// The condition that exempts root sessions from a Deny statement: the
/// statement then applies only where `aws:AssumedRoot` is absent.
pub const ROOT_SESSION_EXEMPTION: &str = r#""Null": {"aws:AssumedRoot": "true"}"#;

/// The recommended guardrail as an SCP document: deny the root user
/// everything except in root sessions; with `task_actions_only`, root
/// sessions are also denied every action outside the five task policies.
pub fn root_guardrail(partition: Partition, task_actions_only: bool) -> serde_json::Value {
    let root = format!("arn:{partition}:iam::*:root");
    let mut statements = vec![serde_json::json!({
        "Sid": "DenyRootUserOutsideRootSessions",
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {
            "ArnLike": {"aws:PrincipalArn": root},
            "Null": {"aws:AssumedRoot": "true"}
        }
    })];
    if task_actions_only {
        let mut actions: Vec<&str> = TaskPolicy::ALL
            .into_iter()
            .flat_map(|t| t.actions().iter().copied())
            .collect();
        actions.sort_unstable();
        actions.dedup();
        statements.push(serde_json::json!({
            "Sid": "DenyRootSessionsOutsideTaskPolicies",
            "Effect": "Deny",
            "NotAction": actions,
            "Resource": "*",
            "Condition": {
                "ArnLike": {"aws:PrincipalArn": format!("arn:{partition}:iam::*:root")},
                "Bool": {"aws:AssumedRoot": "true"}
            }
        }));
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": statements})
}
