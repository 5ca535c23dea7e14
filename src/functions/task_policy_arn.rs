//! `provider::rootaccess::task_policy_arn(name)`: the ARN of a root-task policy.

use aws_root_access::task_policy::TaskPolicy;
use tfplugin::{Function, FunctionError, Parameter, Signature, Type};

pub struct TaskPolicyArn;

impl Function for TaskPolicyArn {
    /// The policy name, then at most one partition.
    type Args = (String, Vec<String>);
    type Output = String;

    fn name(&self) -> &'static str {
        "task_policy_arn"
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![Parameter {
                name: "name",
                ty: Type::String,
                description: "One of `IAMAuditRootUserCredentials`, `IAMCreateRootUserPassword`, \
                              `IAMDeleteRootUserCredentials`, `S3UnlockBucketPolicy`, `SQSUnlockQueuePolicy`.",
            }],
            variadic: Some(super::partition_parameter()),
            return_type: Type::String,
            summary: "ARN of an AWS managed root-task policy",
            description: "Returns the ARN (`arn:<partition>:iam::aws:policy/root-task/<name>`) of one of the five AWS \
                          managed policies that scope an `sts:AssumeRoot` session, for example in an IAM \
                          policy condition on `sts:TaskPolicyArn`. Fails for any other name. The partition is `aws` unless a \
                          second argument names another (`aws-cn`, `aws-us-gov`).",
        }
    }

    fn call(&self, (name, partition): (String, Vec<String>)) -> Result<String, FunctionError> {
        let partition = super::partition_argument(&partition, 1)?;
        match name.parse::<TaskPolicy>() {
            // Only names: an ARN argument would make the call a no-op and hide typos elsewhere.
            Ok(policy) if policy.name() == name => Ok(policy.arn(partition)),
            _ => Err(FunctionError {
                message: format!(
                    "{name:?} is not a root-task policy name. Valid names: {}.",
                    TaskPolicy::NAMES.join(", ")
                ),
                argument: Some(0),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_names_and_rejects_others() {
        let call = |name: &str, partition: &[&str]| {
            let partition = partition.iter().map(|p| p.to_string()).collect();
            TaskPolicyArn.call((name.to_string(), partition))
        };
        assert_eq!(
            call("SQSUnlockQueuePolicy", &[]).unwrap(),
            "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy"
        );
        let err = call("AdministratorAccess", &[]).unwrap_err();
        assert_eq!(err.argument, Some(0));
        assert!(err.message.contains("IAMAuditRootUserCredentials"));
        assert_eq!(
            call("S3UnlockBucketPolicy", &["aws-cn"]).unwrap(),
            "arn:aws-cn:iam::aws:policy/root-task/S3UnlockBucketPolicy"
        );
        let err = call("S3UnlockBucketPolicy", &["aws-mars"]).unwrap_err();
        assert_eq!(err.argument, Some(1));
    }
}
