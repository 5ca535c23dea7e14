//! Resource `rootaccess_bucket_policy_unlock`: removes (or replaces) an S3
//! bucket policy that locks everyone out of a member account's bucket, as
//! that account's root user in an S3UnlockBucketPolicy session.

use async_trait::async_trait;

use super::policy_unlock::{self, Step};
use crate::checks::{ACCOUNT_ID, BUCKET_NAME, REGION};
use crate::errors::aws_diagnostic;
use aws_root_access::ids::check_account_id;
use aws_root_access::resource_policies::{
    self as policies, BucketPolicy, BucketRegion, check_bucket_name,
};
use aws_root_access::{AwsClients, AwsError, ErrorKind};
use tfplugin::{Attribute, AttributePath, Diagnostics, Plan, Resource, Schema, Value};

pub struct BucketPolicyUnlock;

/// The bucket a configuration or state names, once its names are known.
struct Target<'a> {
    account: &'a str,
    bucket: &'a str,
    /// The configured or previously found region.
    region: Option<&'a str>,
}

impl<'a> Target<'a> {
    fn of(value: &'a Value) -> Option<Target<'a>> {
        Some(Target {
            account: value.attr("account_id").as_str()?,
            bucket: value.attr("bucket").as_str()?,
            region: value.attr("region").as_str(),
        })
    }
    fn describe(&self) -> String {
        format!("bucket {} of account {}", self.bucket, self.account)
    }
    fn id(&self) -> Value {
        Value::string(format!("{}/{}", self.account, self.bucket))
    }
    /// Reads the policy. `Ok(None)`: the bucket does not exist.
    async fn read(
        &self,
        aws: &AwsClients,
        exact_region: bool,
    ) -> Result<Option<BucketPolicy>, AwsError> {
        let region = match (exact_region, self.region) {
            (true, Some(r)) => BucketRegion::Exactly(r),
            (_, r) => BucketRegion::Find(r),
        };
        match policies::get_bucket_policy(aws, self.account, self.bucket, region).await {
            Ok(found) => Ok(Some(found)),
            // Only the bucket itself missing means gone, not any other NotFound.
            Err(e) if e.is(ErrorKind::NotFound) && e.code == "NoSuchBucket" => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn missing_bucket(t: &Target<'_>, diags: &mut Diagnostics) {
    diags.attribute_error(
        AttributePath::root("bucket"),
        "Bucket not found",
        format!(
            "There is no bucket {} in account {} (looked for in {}). Check the name and the account id; \
             a bucket elsewhere is found through S3's redirect unless `region` names another region.",
            t.bucket,
            t.account,
            t.region.unwrap_or("the provider's region"),
        ),
    );
}

#[async_trait]
impl Resource<AwsClients> for BucketPolicyUnlock {
    fn type_name(&self) -> &'static str {
        "rootaccess_bucket_policy_unlock"
    }

    fn schema(&self) -> Schema {
        let schema = Schema::new(
            "Unlocks an S3 bucket in a member account whose bucket policy denies everyone, including the account's \
             own administrators. Only the account's root user can undo that: the provider opens a root session for \
             the account (`sts:AssumeRoot` with the `S3UnlockBucketPolicy` task policy, which needs the \
             organization's `RootSessions` feature) and deletes the policy, or replaces it with \
             `replacement_policy`.\n\n\
             **What the plan shows.** The plan reads the bucket's current policy through the root session and shows \
             it as `removed_policy`, so the person approving sees exactly what goes. If the policy is different by \
             the time of the apply, nothing is removed and the apply fails: Terraform itself stops when its final \
             check before the apply reads a different policy (it reports `removed_policy` changing), and the \
             provider stops when the policy changes after that. A bucket without a policy is already unlocked: the \
             apply succeeds with a warning.\n\n\
             **Drift.** A refresh checks the bucket: if the removed policy is back (or, with `replacement_policy`, \
             the bucket holds any other policy), `unlocked` turns `false` and the next apply unlocks it again. Any \
             other policy put on the bucket later is legitimate and never planned for deletion. A bucket that no \
             longer exists removes the resource from state.\n\n\
             **Regions.** Buckets can be in any region. The unlock session cannot call `GetBucketLocation`, so the \
             provider asks in `region` (default: the provider's region) and follows S3's redirect, which names \
             the bucket's region in `x-amz-bucket-region`; the region found is kept in `region`.\n\n\
             **Import** adopts an unlock done earlier (for example by hand) without judging the bucket's current \
             policy: what was removed then is unknown, so until the next run only `replacement_policy` drift is \
             watched.\n\n\
             **Destroy** only removes the resource from state, with a warning: the removed policy is not restored.",
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .describe("`<account_id>/<bucket>`, also the import id."),
        )
        .attribute(
            Attribute::string("account_id")
                .required()
                .requires_replace()
                .validator(ACCOUNT_ID)
                .describe("Member account that owns the bucket (not the management account: AWS issues no root sessions for it). Changing it replaces the resource."),
        )
        .attribute(
            Attribute::string("bucket")
                .required()
                .requires_replace()
                .validator(BUCKET_NAME)
                .describe(
                    "Name of the locked bucket (the name alone, not an ARN or `s3://` URL). Legacy names with capitals \
                     or underscores (us-east-1 buckets from before March 2018) are not accepted. Changing it replaces \
                     the resource.",
                ),
        )
        .attribute(
            Attribute::string("region")
                .optional()
                .computed()
                .requires_replace()
                .validator(REGION)
                .describe(
                    "Region of the bucket. Leave it out to have the provider find it (see **Regions** above); set \
                     it to insist on a region, and a bucket elsewhere is an error. Changing it replaces the resource.",
                ),
        );
        policy_unlock::shared_attributes(schema, "bucket", "`s3:PutBucketPolicy`")
    }

    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {
        // Every check is an attribute validator.
    }

    async fn plan(&self, plan: &mut Plan<'_, AwsClients>) {
        let Some(t) = Target::of(plan.config) else {
            return; // names unknown until apply
        };
        plan.planned.set_attr("id", t.id());
        let prior = plan.prior;
        if !prior.is_null() {
            let moved = ["account_id", "bucket"]
                .iter()
                .any(|a| plan.config.attr(a) != prior.attr(a))
                || (!plan.config.attr("region").is_null()
                    && plan.config.attr("region") != prior.attr("region"));
            if moved {
                return; // a replacement: Terraform plans the new object again from scratch
            }
        }
        if !policy_unlock::plan_run(prior, &mut plan.planned) {
            if plan.config.attr("region").is_null() {
                plan.planned
                    .set_attr("region", prior.attr("region").clone());
            }
            return;
        }
        // Until a read below succeeds, what goes is known only after apply (a
        // stale earlier value would make the apply-time check refuse).
        plan.planned.set_attr("removed_policy", Value::Unknown);
        let Some(aws) = plan.client else {
            return; // provider configuration unknown: shown as known after apply
        };
        // Plan-time read: the person approving sees the policy that goes.
        let target = Target {
            region: plan
                .config
                .attr("region")
                .as_str()
                .or(prior.attr("region").as_str()),
            ..t
        };
        let exact = plan.config.attr("region").as_str().is_some();
        match target.read(aws, exact).await {
            Ok(Some(found)) => {
                plan.planned
                    .set_attr("region", Value::string(found.region.clone()));
                let replacement = plan.planned.attr("replacement_policy");
                if !replacement.is_unknown() {
                    let going =
                        policy_unlock::to_remove(found.policy.as_deref(), replacement.as_str());
                    plan.planned.set_attr(
                        "removed_policy",
                        policy_unlock::planned_removed(going, prior),
                    );
                }
            }
            Ok(None) => missing_bucket(&target, &mut plan.diags),
            Err(e) => policy_unlock::plan_read_failed(&e, &target.describe(), &mut plan.diags),
        }
    }

    async fn create(&self, aws: &AwsClients, planned: &Value, diags: &mut Diagnostics) -> Value {
        unlock(aws, &Value::Null, planned, diags).await
    }

    async fn read(&self, aws: &AwsClients, state: &Value, diags: &mut Diagnostics) -> Value {
        let Some(t) = Target::of(state) else {
            diags.error(
                "Invalid state",
                "The stored state names no account and bucket.",
            );
            return state.clone();
        };
        // The stored region is a starting point: a bucket re-created elsewhere is followed.
        match t.read(aws, false).await {
            Ok(Some(found)) => {
                let mut state = state.clone();
                state.set_attr("id", t.id());
                state.set_attr("region", Value::string(found.region));
                let unlocked = policy_unlock::still_unlocked(found.policy.as_deref(), &state);
                state.set_attr("unlocked", Value::Bool(unlocked));
                state
            }
            Ok(None) => Value::Null,
            Err(e) => {
                diags.extend(aws_diagnostic(
                    &e,
                    &format!("read the policy of {}", t.describe()),
                ));
                state.clone()
            }
        }
    }

    async fn update(
        &self,
        aws: &AwsClients,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        // Runs the unlock again (triggers, replacement_policy, or the lock came back).
        unlock(aws, prior, planned, diags).await
    }

    async fn delete(&self, _aws: &AwsClients, prior: &Value, diags: &mut Diagnostics) {
        let what = Target::of(prior).map_or_else(|| "the bucket".to_string(), |t| t.describe());
        policy_unlock::destroy_warning(&what, diags);
    }

    async fn import(&self, _aws: &AwsClients, id: &str, diags: &mut Diagnostics) -> Value {
        let parsed = id.split_once('/').filter(|(account, bucket)| {
            check_account_id(account).is_ok() && check_bucket_name(bucket).is_ok()
        });
        let Some((account, bucket)) = parsed else {
            diags.error(
                "Invalid import id",
                format!(
                    "{id:?} is not `<account_id>/<bucket>`: write the 12-digit account id, a slash and the bucket \
                     name, e.g. 111122223333/my-locked-bucket."
                ),
            );
            return Value::Null;
        };
        let mut state = Value::Object(Default::default());
        for (name, value) in [
            ("id", Value::string(id)),
            ("account_id", Value::string(account)),
            ("bucket", Value::string(bucket)),
            ("region", Value::Null),
            ("replacement_policy", Value::Null),
            ("triggers", Value::Null),
            // Whatever was removed before the import is unknown: nothing is watched for.
            ("removed_policy", Value::Null),
            ("unlocked", Value::Bool(true)),
        ] {
            state.set_attr(name, value);
        }
        state
    }
}

/// Create and update: read, check against the plan, delete or put.
async fn unlock(
    aws: &AwsClients,
    prior: &Value,
    planned: &Value,
    diags: &mut Diagnostics,
) -> Value {
    let failed = prior.clone(); // on error, what held before
    let Some(t) = Target::of(planned) else {
        diags.error(
            "Invalid plan",
            "The planned state names no account and bucket.",
        );
        return failed;
    };
    let what = t.describe();
    let found = match t.read(aws, false).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            missing_bucket(&t, diags);
            return failed;
        }
        Err(e) => {
            diags.extend(aws_diagnostic(&e, &format!("read the policy of {what}")));
            return failed;
        }
    };
    if let Some(r) = planned.attr("region").as_str()
        && r != found.region
    {
        diags.error(
            "Bucket moved",
            format!(
                "The plan found {what} in {r}, but it is now in {}. Run `terraform plan` again.",
                found.region
            ),
        );
        return failed;
    }
    let replacement = planned.attr("replacement_policy").as_str();
    let current = found.policy.as_deref();
    let going = policy_unlock::to_remove(current, replacement);
    let Some(removed) =
        policy_unlock::check_against_plan(planned, prior, going.as_deref(), &what, diags)
    else {
        return failed;
    };
    let result = match policy_unlock::step(current, replacement) {
        Step::Delete => {
            policies::delete_bucket_policy(aws, t.account, t.bucket, &found.region).await
        }
        Step::Put(p) => {
            policies::put_bucket_policy(aws, t.account, t.bucket, &found.region, &p).await
        }
        Step::Nothing => Ok(()),
    };
    if let Err(e) = result {
        let doing = if replacement.is_some() {
            "replace"
        } else {
            "delete"
        };
        diags.extend(aws_diagnostic(&e, &format!("{doing} the policy of {what}")));
        return failed;
    }
    if current.is_none() {
        policy_unlock::nothing_to_remove(&what, replacement.is_some(), diags);
    }
    let mut state = planned.clone();
    state.set_attr("id", t.id());
    state.set_attr("region", Value::string(found.region));
    state.set_attr("removed_policy", removed);
    state.set_attr("unlocked", Value::Bool(true));
    state
}
