//! Unit tests of the resource's schema and models.

use super::*;
use crate::credential_sets::all_types;
use tfplugin::Value;

#[test]
fn the_schema_default_lists_all_types_sorted() {
    let schema = MemberCredentialsAbsent.schema();
    let attr = schema.block.find_attribute("credential_types").unwrap();
    assert_eq!(attr.default.as_ref(), Some(&all_types()));
    assert!(attr.full_description().contains("`signing_certificates`"));
}

#[test]
fn the_models_fit_the_schema() {
    let state = State {
        id: Some("111122223333".into()),
        account_id: "111122223333".into(),
        credential_types: Some(all_kinds()),
        present: CredentialSets::of([Credential::Password]),
        removed: CredentialSets::of([Credential::AccessKey("AKIA1".into())]),
    };
    let value = Value::encode(&state, &MemberCredentialsAbsent.schema().value_type()).unwrap();
    assert_eq!(value.attr("present_password"), &Value::Bool(true));
    assert_eq!(
        value.attr("removed_access_key_ids"),
        &Value::Set(vec![Value::string("AKIA1")])
    );
    assert!(value.attr("credential_types").same_as(&all_types()));
    let mut planned = value.clone();
    planned.set_attr("present_mfa_serials", Value::Unknown);
    let p: Planned = planned.decode().unwrap();
    assert_eq!(p.present.mfa_serials, Known::Unknown);
    assert_eq!(p.managed(), Some(all_kinds()));
    // An imported state: everything but the ids null.
    let mut imported = Value::Null;
    if let Value::Object(_) = &value {
        imported = value.clone();
        for name in [
            "credential_types",
            "present_password",
            "removed_mfa_serials",
        ] {
            imported.set_attr(name, Value::Null);
        }
    }
    let s: State = imported.decode().unwrap();
    assert_eq!(s.credential_types, None);
    assert!(!s.present.password);
}
