//! AWS identifiers the provider checks before calling AWS.

/// Checks a 12-digit AWS account id, explaining what is wrong.
pub fn check_account_id(id: &str) -> Result<(), String> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!(
            "{id:?} is not an AWS account id: it must be exactly 12 digits (keep leading zeros, and quote it in HCL)"
        ))
    }
}

/// Checks an organization root (`r-` and 4 to 32 lowercase letters or
/// digits) or organizational unit id (`ou-`, the same, `-`, and 8 to 32
/// more), the ParentId pattern of AWS Organizations.
pub fn check_parent_id(id: &str) -> Result<(), String> {
    let word = |s: &str, min: usize| {
        (min..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    let valid = match (id.strip_prefix("r-"), id.strip_prefix("ou-")) {
        (Some(root), _) => word(root, 4),
        (_, Some(unit)) => unit
            .split_once('-')
            .is_some_and(|(root, rest)| word(root, 4) && word(rest, 8)),
        _ => false,
    };
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{id:?} is not an organizational unit id (ou-ab12-cd34ef56) or root id (r-ab12)"
        ))
    }
}

/// The ARN of an account's root user.
pub fn root_user_arn(partition: Partition, account_id: &str) -> String {
    format!("arn:{partition}:iam::{account_id}:root")
}

use crate::partition::Partition;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids() {
        assert!(check_account_id("012345678901").is_ok());
        for bad in [
            "",
            "12345678901",
            "1234567890123",
            "12345678901a",
            " 12345678901",
        ] {
            assert!(check_account_id(bad).is_err(), "{bad:?}");
        }
        assert!(check_parent_id("ou-ab12-cd34ef56").is_ok());
        assert!(check_parent_id("r-ab12").is_ok());
        for bad in [
            "",
            "ou-ab12",
            "ou-ab1-cd34ef56",
            "ou-ab12-cd34ef5",
            "r-AB12",
            "ou-ab12-cd34ef56-x",
        ] {
            assert!(check_parent_id(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            root_user_arn(Partition::Aws, "111122223333"),
            "arn:aws:iam::111122223333:root"
        );
    }
}
