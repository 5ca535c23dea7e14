//! `rootaccess_bucket_policy_unlock` through the real Terraform CLI against the
//! local AWS endpoint: a member account's bucket with a deny-everyone policy,
//! an ordinary principal of that account locked out before and let in after,
//! and what the plan shows, drift, races, regions, import and errors.

use crate::support;

use aws_root_access::resource_policies;
use aws_root_access::{AwsClients, AwsSettings, Endpoints, StaticCredentials};
use serde_json::{Value, json};
use support::Workdir;
use support::aws::AwsEndpoint;

const DEV: &str = "111111111111";
const PROD: &str = "333333333333";
const LOCKED: &str = "dev-locked-bucket";

/// The organization with RootSessions on; `dev` holds `buckets`, `prod` `prod_buckets`.
fn seed(aws: &AwsEndpoint, buckets: Value, prod_buckets: Value) -> Value {
    aws.seed(json!({
        "organization": {"feature_set": "ALL"},
        "trusted_access": ["iam.amazonaws.com"],
        "features": ["RootCredentialsManagement", "RootSessions"],
        "accounts": [
            {"id": DEV, "name": "dev", "users": ["alice"], "buckets": buckets},
            {"id": PROD, "name": "prod", "buckets": prod_buckets}
        ]
    }))
}

fn seed_locked(aws: &AwsEndpoint) -> Value {
    seed(
        aws,
        json!([{"name": LOCKED, "policy": "deny-all", "objects": {"a.txt": "A"}}]),
        json!([]),
    )
}

fn unlock_hcl(name: &str, bucket: &str, extra: &str) -> String {
    format!(
        "resource \"rootaccess_bucket_policy_unlock\" \"{name}\" {{\n  account_id = \"{DEV}\"\n  bucket     = \"{bucket}\"\n{extra}}}\n"
    )
}

fn workdir(aws: &AwsEndpoint, resources: &str) -> Workdir {
    Workdir::new(&format!("{}{resources}", aws.provider_hcl()))
}

/// The policy the endpoint holds for a bucket of `DEV` (JSON, null for none).
fn policy_of(aws: &AwsEndpoint, bucket: &str) -> Value {
    aws.account(DEV)["buckets"][bucket]["policy"].clone()
}

/// An ordinary principal of the member account, through the AWS SDK.
struct Principal {
    rt: tokio::runtime::Runtime,
    s3: aws_sdk_s3::Client,
}

impl Principal {
    fn new(aws: &AwsEndpoint, keys: &Value) -> Principal {
        let creds = aws_sdk_s3::config::Credentials::new(
            keys["access_key_id"].as_str().expect("key id"),
            keys["secret_access_key"].as_str().expect("secret"),
            None,
            None,
            "test-principal",
        );
        let conf = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new(aws.region.clone()))
            .endpoint_url(&aws.url)
            .credentials_provider(creds)
            .force_path_style(true)
            .build();
        Principal {
            rt: tokio::runtime::Runtime::new().expect("runtime"),
            s3: aws_sdk_s3::Client::from_conf(conf),
        }
    }

    fn code<E: aws_sdk_s3::error::ProvideErrorMetadata>(e: E) -> String {
        e.code().unwrap_or("no code").to_string()
    }

    fn list(&self, bucket: &str) -> Result<Vec<String>, String> {
        self.rt.block_on(async {
            let out = self
                .s3
                .list_objects_v2()
                .bucket(bucket)
                .send()
                .await
                .map_err(Self::code)?;
            Ok(out
                .contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string))
                .collect())
        })
    }

    fn delete_object(&self, bucket: &str, key: &str) -> Result<(), String> {
        self.rt.block_on(async {
            self.s3
                .delete_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map(|_| ())
                .map_err(Self::code)
        })
    }

    fn delete_bucket(&self, bucket: &str) -> Result<(), String> {
        self.rt.block_on(async {
            self.s3
                .delete_bucket()
                .bucket(bucket)
                .send()
                .await
                .map(|_| ())
                .map_err(Self::code)
        })
    }

    fn put_policy(&self, bucket: &str, policy: &Value) -> Result<(), String> {
        self.rt.block_on(async {
            self.s3
                .put_bucket_policy()
                .bucket(bucket)
                .policy(policy.to_string())
                .send()
                .await
                .map(|_| ())
                .map_err(Self::code)
        })
    }
}

fn alice(aws: &AwsEndpoint, seeded: &Value) -> Principal {
    Principal::new(aws, &seeded["accounts"][DEV]["users"]["alice"])
}

fn admin(aws: &AwsEndpoint, seeded: &Value) -> Principal {
    Principal::new(aws, &seeded["accounts"][DEV]["admin"])
}

/// Someone else with a root session of the member account (the only way to
/// change a locking policy).
fn root_put_policy(aws: &AwsEndpoint, bucket: &str, policy: &Value) {
    let u = Some(aws.url.clone());
    let settings = AwsSettings {
        region: Some(aws.region.clone()),
        static_credentials: Some(StaticCredentials {
            access_key_id: aws.access_key_id.clone(),
            secret_access_key: aws.secret_access_key.clone(),
            session_token: None,
        }),
        // IAM too: a root session is opened only once IAM says the
        // feature it needs is on.
        endpoints: Endpoints {
            sts: u.clone(),
            iam: u.clone(),
            s3: u,
            ..Endpoints::default()
        },
        s3_use_path_style: true,
        ..AwsSettings::default()
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let clients = AwsClients::new(settings).await.expect("clients");
        resource_policies::put_bucket_policy(
            &clients,
            DEV,
            bucket,
            &aws.region,
            &policy.to_string(),
        )
        .await
        .expect("root session puts the policy");
    });
}

fn deny_delete_bucket(bucket: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Sid": "KeepIt", "Effect": "Deny", "Principal": "*",
           "Action": "s3:DeleteBucket", "Resource": format!("arn:aws:s3:::{bucket}")}]})
}

fn calls(aws: &AwsEndpoint, account: &str, operation: &str) -> u64 {
    aws.calls()["calls"][account]["s3"][operation]
        .as_u64()
        .unwrap_or(0)
}

mod lifecycle;
mod plan_and_faults;
