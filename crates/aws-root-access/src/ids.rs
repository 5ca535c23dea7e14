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

/// The ARN of an account's root user.
pub fn root_user_arn(account_id: &str) -> String {
    format!("arn:aws:iam::{account_id}:root")
}

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
        assert_eq!(
            root_user_arn("111122223333"),
            "arn:aws:iam::111122223333:root"
        );
    }
}
