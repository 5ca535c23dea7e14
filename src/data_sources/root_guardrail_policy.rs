//! Data source `rootaccess_root_guardrail_policy`: the recommended service
//! control policy that denies the root user everything except in root
//! sessions, rendered as JSON for `aws_organizations_policy`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use aws_root_access::AwsClients;
use aws_root_access::partition::Partition;
use aws_root_access::scp::root_guardrail;
use tfplugin::{Attribute, DataSource, Diagnostics, OneOf, Schema};

pub struct RootGuardrailPolicy;

#[derive(Deserialize)]
pub struct Config {
    partition: Option<String>,
    root_sessions_task_actions_only: Option<bool>,
}

#[derive(Serialize)]
pub struct State {
    id: String,
    partition: String,
    root_sessions_task_actions_only: bool,
    json: String,
}

const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

#[async_trait]
impl DataSource<AwsClients> for RootGuardrailPolicy {
    type Config = Config;
    type Model = State;

    fn type_name(&self) -> &'static str {
        "rootaccess_root_guardrail_policy"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "The guardrail service control policy (SCP) that denies a member account's root user every action, \
             except in root sessions opened with `sts:AssumeRoot` (centralized root access), as JSON for \
             `aws_organizations_policy`. A guardrail without that exemption (`aws:PrincipalArn` like \
             `arn:aws:iam::*:root`, as landing zones ship it) also blocks every root session, so no root \
             credential can be deleted and no locked bucket unlocked in the accounts below it; the provider \
             then names the blocking SCP in its error. Reads nothing from AWS.",
        )
        .attribute(
            Attribute::string("partition")
                .optional()
                .computed()
                .validator(OneOf(&PARTITIONS))
                .describe("The partition of the root user ARN in the policy. Defaults to the partition of the provider's region."),
        )
        .attribute(
            Attribute::bool("root_sessions_task_actions_only")
                .optional()
                .computed()
                .describe(
                    "When `true`, a second statement also denies root sessions every action outside the five AWS \
                     managed root-task policies (defence in depth: the task policy already limits each session). \
                     Defaults to `false`.",
                ),
        )
        .attribute(Attribute::string("id").computed().describe("The partition and the option, e.g. `aws/false`."))
        .attribute(Attribute::string("json").computed().describe("The SCP document (JSON)."))
    }

    async fn read(
        &self,
        aws: &AwsClients,
        config: &Config,
        _diags: &mut Diagnostics,
    ) -> Option<State> {
        let partition = config
            .partition
            .as_deref()
            .and_then(Partition::from_name)
            .unwrap_or_else(|| aws.partition());
        let task_actions_only = config.root_sessions_task_actions_only.unwrap_or(false);
        let json = root_guardrail(partition, task_actions_only).to_string();
        let state = State {
            id: format!("{partition}/{task_actions_only}"),
            partition: partition.to_string(),
            root_sessions_task_actions_only: task_actions_only,
            json,
        };
        Some(state)
    }
}
