//! rootaccess_root_session: an ephemeral AssumeRoot session configures a
//! second provider block, and its secrets never reach state or plan files.

use crate::support;

use std::io::Read;

use support::Workdir;
use support::aws::AwsEndpoint;

fn config(aws: &AwsEndpoint) -> String {
    format!(
        r#"{management}
ephemeral "rootaccess_root_session" "audit" {{
  account_id       = "111111111111"
  task_policy      = "IAMAuditRootUserCredentials"
  duration_seconds = 300
}}

provider "rootaccess" {{
  alias      = "member_root"
  access_key = ephemeral.rootaccess_root_session.audit.access_key_id
  secret_key = ephemeral.rootaccess_root_session.audit.secret_access_key
  token      = ephemeral.rootaccess_root_session.audit.session_token
{endpoints}}}

data "rootaccess_caller_identity" "root" {{
  provider = rootaccess.member_root
}}

output "root_arn" {{ value = data.rootaccess_caller_identity.root.arn }}
"#,
        management = aws.provider_hcl(),
        endpoints = aws.endpoints_hcl()
    )
}

/// Every file in a saved plan (a zip archive), as text.
fn plan_contents(path: &std::path::Path) -> String {
    let file = std::fs::File::open(path).expect("plan file");
    let mut archive = zip::ZipArchive::new(file).expect("plan is a zip archive");
    let mut text = String::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let mut content = Vec::new();
        entry.read_to_end(&mut content).expect("read entry");
        text.push_str(&String::from_utf8_lossy(&content));
    }
    text
}

#[test]
fn a_root_session_configures_another_provider_and_leaves_no_secret_behind() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let w = Workdir::new(&config(&aws));
    let plan = w.terraform(&["plan", "-out=tfplan", "-no-color"]).ok();
    let apply = w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
    assert_eq!(
        w.outputs()["root_arn"]["value"],
        "arn:aws:iam::111111111111:root"
    );

    // The second provider really acted in the member account as its root user.
    let calls = aws.calls();
    assert!(
        calls["calls"]["111111111111"]["sts"]["GetCallerIdentity"]
            .as_u64()
            .unwrap_or(0)
            >= 1,
        "{calls}"
    );
    assert!(
        calls["assume_root"]["111111111111"]["IAMAuditRootUserCredentials"]
            .as_u64()
            .unwrap_or(0)
            >= 1,
        "{calls}"
    );

    let sessions = aws.get("/sessions?secrets=1");
    let sessions = sessions["sessions"].as_array().expect("sessions");
    assert!(!sessions.is_empty());
    let state = w.state_text();
    let shown = w.terraform(&["show", "-json"]).ok().stdout();
    let plan_file = plan_contents(&w.path().join("tfplan"));
    assert!(
        plan_file.contains("rootaccess_caller_identity") || plan_file.contains("root_arn"),
        "plan archive was read"
    );
    for s in sessions {
        for key in ["secret_access_key", "session_token", "access_key_id"] {
            let secret = s[key].as_str().expect("secret");
            assert!(!state.contains(secret), "{key} in state");
            assert!(!shown.contains(secret), "{key} in terraform show -json");
            assert!(!plan_file.contains(secret), "{key} in the plan file");
            assert!(
                !plan.text().contains(secret) && !apply.text().contains(secret),
                "{key} printed"
            );
        }
    }
}

#[test]
fn invalid_session_arguments_fail_at_validate() {
    let w = Workdir::new(
        r#"
provider "rootaccess" {
  region = "us-east-1"
}
ephemeral "rootaccess_root_session" "bad" {
  account_id       = "1111"
  task_policy      = "AdministratorAccess"
  duration_seconds = 3600
}
"#,
    );
    w.terraform(&["validate", "-no-color"]).fails_with(&[
        "\"1111\" is not an AWS account id",
        "\"AdministratorAccess\" is not a root-task policy",
        "3600 is not allowed. Must be a whole number from 1 to 900",
    ]);
}

#[test]
fn trace_logs_carry_no_secret() {
    let aws = AwsEndpoint::start();
    aws.seed_standard();
    let w = Workdir::new(&config(&aws)).env("TF_LOG", "trace");
    let run = w.terraform(&["apply", "-auto-approve", "-no-color"]).ok();
    let logs = run.stderr();
    // The provider did log at trace level, in hclog JSON that Terraform re-emits.
    assert!(
        logs.contains("provider.terraform-provider-rootaccess"),
        "no provider logs seen"
    );
    assert!(
        logs.contains("requesting a root session"),
        "our own debug events reach Terraform"
    );
    assert!(
        !logs.contains(&aws.secret_access_key),
        "the provider's secret key was logged"
    );
    let sessions = aws.get("/sessions?secrets=1");
    for s in sessions["sessions"].as_array().expect("sessions") {
        for key in ["secret_access_key", "session_token"] {
            assert!(
                !logs.contains(s[key].as_str().expect("value")),
                "{key} of a root session was logged"
            );
        }
    }
}
