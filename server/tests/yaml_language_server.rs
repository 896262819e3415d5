//! `blueprint schema` works in the real yaml-language-server: runs the Node
//! test in `tests/yaml-language-server/` against this build's binary, so
//! that `cargo test` stays the one command that runs everything. Needs
//! Node.js and that folder's `npm ci`; skips, saying so, without them (and
//! fails instead when `BLUEPRINT_REQUIRE_SERVICES=1`, as in CI).

use std::path::Path;
use std::process::Command;

#[test]
fn yaml_language_server_accepts_the_schema() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/yaml-language-server");
    let installed = dir.join("node_modules/yaml-language-server").is_dir();
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !(installed && node) {
        let reason = format!(
            "yaml-language-server test skipped: {}; run `npm ci` in {}",
            if node {
                "its packages are not installed"
            } else {
                "node is not on PATH"
            },
            dir.display()
        );
        assert!(
            std::env::var("BLUEPRINT_REQUIRE_SERVICES").as_deref() != Ok("1"),
            "{reason}"
        );
        eprintln!("{reason}");
        return;
    }
    let output = Command::new("node")
        .args(["--test", "yaml-language-server.test.mjs"])
        .current_dir(&dir)
        .env("BLUEPRINT_BIN", env!("CARGO_BIN_EXE_blueprint"))
        .output()
        .expect("run node");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "the yaml-language-server test failed:\n{report}"
    );
    assert!(
        report.contains("# fail 0"),
        "unexpected node test report:\n{report}"
    );
}
