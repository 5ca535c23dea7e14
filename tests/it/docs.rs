//! docs/ is generated from the schemas and examples/. This test fails when the
//! committed docs differ from what the code says; `UPDATE_DOCS=1 cargo test
//! --test it docs::` rewrites them.

use std::path::PathBuf;

use terraform_provider_rootaccess::provider::RootAccessProvider;
use tfplugin::docs;

#[test]
fn docs_match_the_schemas() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let pages = docs::render(&RootAccessProvider, &root.join("examples"));
    let update = std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (path, body) in &pages {
        let file = root.join("docs").join(path);
        if update {
            std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            std::fs::write(&file, body).expect("write doc");
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(body.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "docs out of date: {stale:?}; run `UPDATE_DOCS=1 cargo test --test it docs::`"
    );
}
