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

/// Checks an AWS region code such as `eu-west-1` or `us-gov-west-1`.
pub fn check_region(region: &str) -> Result<(), String> {
    if is_region(region) {
        Ok(())
    } else {
        Err(format!(
            "{region:?} is not an AWS region code: write it like us-east-1 or eu-central-2"
        ))
    }
}

/// Whether `s` has the form of a region code.
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
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

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "cn-north-1",
            "us-isob-east-1",
        ] {
            assert!(check_region(ok).is_ok(), "{ok}");
        }
        for bad in ["", "us-east", "useast1", "US-EAST-1", "us--1", "eu-west-1a"] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }
}
