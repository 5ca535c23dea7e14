//! `provider::rootaccess::root_user_arn(account_id)`: the ARN of an account's root user.

use aws_root_access::ids::{check_account_id, root_user_arn};
use tfplugin::{Function, FunctionError, Parameter, Signature, Type};

pub struct RootUserArn;

impl Function for RootUserArn {
    /// The account id, then at most one partition.
    type Args = (String, Vec<String>);
    type Output = String;

    fn name(&self) -> &'static str {
        "root_user_arn"
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![Parameter {
                name: "account_id",
                ty: Type::String,
                description: "A 12-digit AWS account id, as a string.",
            }],
            variadic: Some(super::partition_parameter()),
            return_type: Type::String,
            summary: "ARN of an AWS account's root user",
            description: "Returns `arn:<partition>:iam::<account_id>:root`, the resource an `sts:AssumeRoot` permission \
                          names and the identity a root session acts as. Fails unless `account_id` is exactly 12 digits. \
                          The partition is `aws` unless a second argument names another (`aws-cn`, `aws-us-gov`).",
        }
    }

    fn call(&self, (id, partition): (String, Vec<String>)) -> Result<String, FunctionError> {
        check_account_id(&id).map_err(|message| FunctionError {
            message,
            argument: Some(0),
        })?;
        let partition = super::partition_argument(&partition, 1)?;
        Ok(root_user_arn(partition, &id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_account_ids() {
        let call = |id: &str, partition: &[&str]| {
            let partition = partition.iter().map(|p| p.to_string()).collect();
            RootUserArn.call((id.to_string(), partition))
        };
        assert_eq!(
            call("111122223333", &[]).unwrap(),
            "arn:aws:iam::111122223333:root"
        );
        let err = call("1234", &[]).unwrap_err();
        assert!(err.message.contains("12 digits"));
        assert_eq!(
            call("111122223333", &["aws-us-gov"]).unwrap(),
            "arn:aws-us-gov:iam::111122223333:root"
        );
        assert_eq!(
            call("111122223333", &["aws", "aws"]).unwrap_err().argument,
            Some(2)
        );
    }
}
