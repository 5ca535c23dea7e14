//! Provider functions, one file each.

pub mod root_user_arn;
pub mod task_policy_arn;

use aws_root_access::partition::Partition;
use tfplugin::{FunctionError, Parameter, Type};

/// The optional last argument of the ARN functions.
pub(crate) fn partition_parameter() -> Parameter {
    Parameter {
        name: "partition",
        ty: Type::String,
        description: "Optional: the AWS partition the ARN is for, `aws` (the default), `aws-cn` or `aws-us-gov`.",
    }
}

/// The partition the optional last argument names (the call's variadic
/// arguments, after its `fixed` ones), `aws` when it names none.
pub(crate) fn partition_argument(
    variadic: &[String],
    fixed: usize,
) -> Result<Partition, FunctionError> {
    match variadic {
        [] => Ok(Partition::Aws),
        [name] => Partition::from_name(name).ok_or_else(|| FunctionError {
            message: format!("{name:?} is not a partition: use aws, aws-cn or aws-us-gov"),
            argument: Some(fixed),
        }),
        _ => Err(FunctionError {
            message: "Give at most one partition".to_string(),
            argument: Some(fixed + 1),
        }),
    }
}
