//! The AWS partition a configuration works in. Every ARN the provider
//! builds (task policies, root users) names it: `arn:aws:`, `arn:aws-cn:`,
//! `arn:aws-us-gov:`. It follows from the region, which AssumeRoot needs
//! anyway (regional STS endpoints only).

use std::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Partition {
    /// The commercial regions.
    #[default]
    Aws,
    /// Beijing and Ningxia (`cn-*`).
    AwsCn,
    /// AWS GovCloud (US) (`us-gov-*`).
    AwsUsGov,
}

impl Partition {
    pub const ALL: [Partition; 3] = [Partition::Aws, Partition::AwsCn, Partition::AwsUsGov];

    /// The partition of a region code; regions of partitions this provider
    /// does not know count as the commercial one.
    pub fn of_region(region: &str) -> Partition {
        if region.starts_with("cn-") {
            Partition::AwsCn
        } else if region.starts_with("us-gov-") {
            Partition::AwsUsGov
        } else {
            Partition::Aws
        }
    }

    /// `aws`, `aws-cn`, `aws-us-gov`: as ARNs spell it.
    pub fn name(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }

    pub fn from_name(name: &str) -> Option<Partition> {
        Partition::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_name_their_partition() {
        assert_eq!(Partition::of_region("us-east-1"), Partition::Aws);
        assert_eq!(Partition::of_region("eu-central-2"), Partition::Aws);
        assert_eq!(Partition::of_region("cn-north-1"), Partition::AwsCn);
        assert_eq!(Partition::of_region("cn-northwest-1"), Partition::AwsCn);
        assert_eq!(Partition::of_region("us-gov-west-1"), Partition::AwsUsGov);
        for p in Partition::ALL {
            assert_eq!(Partition::from_name(p.name()), Some(p));
        }
        assert_eq!(Partition::from_name("aws-mars"), None);
    }
}
