//! `blueprint generate` end to end: the real binary, real files in a
//! temporary directory, real exit codes (the contract is
//! `generator/docs/generated-system.md`).

mod cli_support;
use cli_support::{contains, fixtures, run_in};

use std::fs;
use std::path::{Path, PathBuf};

/// A temporary directory holding the clean fixture (system
/// `library_loans`: an APIEndpoint into a SQLite store).
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("app.blueprint.yaml");
    fs::copy(fixtures().join("clean.blueprint.yaml"), &file).expect("copy fixture");
    (dir, file)
}

/// Every file under `dir`, relative, sorted, with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.push((rel, fs::read(&path).expect("read")));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn invalid_blueprint_prints_diagnostics_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        fixtures().join("broken.blueprint.yaml"),
        dir.path().join("broken.blueprint.yaml"),
    )
    .unwrap();
    let r = run_in(
        dir.path(),
        &["generate", "broken.blueprint.yaml", "--color", "never"],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    // Rendered as `check` renders them.
    let check = run_in(
        dir.path(),
        &["check", "broken.blueprint.yaml", "--color", "never"],
    );
    assert!(r.stdout.starts_with("error[BP"), "{}", r.stdout);
    let first = check.stdout.split("\n\n").next().unwrap();
    contains(&r.stdout, first);
    contains(&r.stderr, "nothing was generated");
    // Nothing but the blueprint in the directory.
    let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "something was written: {left:?}");

    let out = dir.path().join("out");
    let r = run_in(
        dir.path(),
        &["generate", "broken.blueprint.yaml", "-o", "out"],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(!out.exists());
}

#[test]
fn usage_and_io_errors_exit_2() {
    let (dir, _) = project();
    let r = run_in(dir.path(), &["generate", "missing.blueprint.yaml"]);
    assert_eq!(r.code, 2, "{}", r.all());
    contains(&r.stderr, "cannot read missing.blueprint.yaml");

    let r = run_in(dir.path(), &["generate"]);
    assert_eq!(r.code, 2, "{}", r.all());

    // The output directory is a file.
    fs::write(dir.path().join("taken"), "not a directory").unwrap();
    let r = run_in(
        dir.path(),
        &["generate", "app.blueprint.yaml", "-o", "taken"],
    );
    assert_eq!(r.code, 2, "{}", r.all());
    contains(&r.stderr, "taken");
    assert_eq!(
        fs::read_to_string(dir.path().join("taken")).unwrap(),
        "not a directory"
    );
}

#[cfg(unix)]
#[test]
fn unwritable_directory_exits_2() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, _) = project();
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores permissions; the test means nothing there.
    if fs::write(locked.join("probe"), "").is_ok() {
        eprintln!("skipped: permissions are not enforced for this user");
        return;
    }
    let r = run_in(
        dir.path(),
        &["generate", "app.blueprint.yaml", "-o", "locked/out"],
    );
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(r.code, 2, "{}", r.all());
    contains(&r.stderr, "cannot generate into locked/out");
}

/// The whole regeneration cycle on one project, in order: each step starts
/// from what the previous one left.
#[test]
fn generate_check_regenerate_conflict_force_and_user_files() {
    let (dir, file) = project();
    let out = dir.path().join("library_loans");
    let generated = "src/generated/loan_store.rs";
    let user = "src/components/loan_store.rs";

    // --check on a fresh directory: everything is to be created.
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml", "--check"]);
    assert_eq!(r.code, 1, "{}", r.all());
    contains(&r.stdout, "create src/main.rs");
    contains(&r.stdout, &format!("create {generated}"));
    assert!(!out.exists(), "--check wrote {}", out.display());

    // Generate: exit 0, one line per file, the hint at the end.
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml"]);
    assert_eq!(r.code, 0, "{}", r.all());
    for path in ["Cargo.toml", "src/main.rs", "src/lib.rs", generated, user] {
        contains(&r.stdout, &format!("create {path}\n"));
        assert!(out.join(path).is_file(), "{path} was not written");
    }
    assert!(out.join(".blueprint/generated.json").is_file());
    contains(&r.stdout, "next: cd library_loans && cargo run");
    let first = tree(&out);

    // Again: nothing changes.
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml"]);
    assert_eq!(r.code, 0, "{}", r.all());
    for line in r.stdout.lines() {
        assert!(
            !line.starts_with("create ")
                && !line.starts_with("overwrite ")
                && !line.starts_with("remove ")
                && !line.starts_with("conflict "),
            "regenerating an unchanged blueprint changed something: {line}\n{}",
            r.stdout
        );
    }
    contains(&r.stdout, &format!("unchanged {generated}\n"));
    contains(&r.stdout, &format!("keep {user} (yours)\n"));
    assert_eq!(tree(&out), first);

    // --check: up to date.
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml", "--check"]);
    assert_eq!(r.code, 0, "{}", r.all());
    contains(&r.stdout, "up to date");

    // A generated file edited by hand: not overwritten, its diff shown,
    // exit 1; everything else still written.
    let pristine = fs::read_to_string(out.join(generated)).unwrap();
    let edited = format!("{pristine}\n// my hand edit\n");
    fs::write(out.join(generated), &edited).unwrap();
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml"]);
    assert_eq!(r.code, 1, "{}", r.all());
    contains(&r.stdout, &format!("conflict {generated}\n"));
    contains(&r.stdout, "-// my hand edit");
    contains(
        &r.stdout,
        "edited by hand; not overwritten — rerun with --force to overwrite",
    );
    assert_eq!(fs::read_to_string(out.join(generated)).unwrap(), edited);
    // Still a conflict next time, and --check says so.
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml", "--check"]);
    assert_eq!(r.code, 1, "{}", r.all());
    contains(&r.stdout, &format!("conflict {generated}\n"));
    assert_eq!(fs::read_to_string(out.join(generated)).unwrap(), edited);

    // --force overwrites it.
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml", "--force"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(fs::read_to_string(out.join(generated)).unwrap(), pristine);
    assert_eq!(tree(&out), first);

    // The user-owned module, edited, survives a regeneration from a
    // changed blueprint byte for byte, while the generated module follows
    // the blueprint.
    let mine = b"// mine\r\nuse super::*; \xe2\x9c\x93 no trailing newline".to_vec();
    fs::write(out.join(user), &mine).unwrap();
    let blueprint = fs::read_to_string(&file).unwrap();
    let changed = blueprint.replace(
        "      returned: { type: boolean, default: false }\n",
        "      returned: { type: boolean, default: false }\n      note: { type: string }\n",
    );
    assert_ne!(changed, blueprint, "the fixture changed shape");
    fs::write(&file, changed).unwrap();
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml"]);
    assert_eq!(r.code, 0, "{}", r.all());
    contains(&r.stdout, &format!("keep {user} (yours)\n"));
    assert_eq!(fs::read(out.join(user)).unwrap(), mine);
    assert_ne!(
        fs::read_to_string(out.join(generated)).unwrap(),
        pristine,
        "a schema change must reach the store's generated module"
    );
    contains(&r.stdout, &format!("overwrite {generated}\n"));
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml", "--check"]);
    assert_eq!(r.code, 0, "{}", r.all());
}

#[test]
fn output_directory_option() {
    let (dir, _) = project();
    let r = run_in(
        dir.path(),
        &["generate", "app.blueprint.yaml", "-o", "elsewhere"],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(dir.path().join("elsewhere/src/main.rs").is_file());
    assert!(!dir.path().join("library_loans").exists());
    contains(&r.stdout, "next: cd elsewhere && cargo run");
}

/// Nothing `generate` prints carries a password: not a literal one in the
/// blueprint (reported as BP218, a warning, so generation goes ahead), not
/// in the diff of a hand-edited file that quotes it.
#[test]
fn no_password_is_printed() {
    const SECRET: &str = "gEn-SeCrEt-42";
    let (dir, file) = project();
    let text = fs::read_to_string(&file).unwrap().replace(
        "      engine: sqlite\n      url: sqlite://loans.db\n",
        &format!(
            "      engine: postgres\n      url: postgres://app:{SECRET}@localhost:5432/loans\n"
        ),
    );
    assert!(text.contains(SECRET));
    fs::write(&file, text).unwrap();
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.all().contains(SECRET), "{}", r.all());

    let out = dir.path().join("library_loans");
    for (path, bytes) in tree(&out) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SECRET),
            "{path} holds the password"
        );
    }
    let generated = out.join("src/generated/loan_store.rs");
    let edited = format!(
        "{}\n// postgres://app:{SECRET}@localhost/loans\n// {SECRET}\n",
        fs::read_to_string(&generated).unwrap()
    );
    fs::write(&generated, edited).unwrap();
    for args in [
        &["generate", "app.blueprint.yaml"][..],
        &["generate", "app.blueprint.yaml", "--check"],
    ] {
        let r = run_in(dir.path(), args);
        assert_eq!(r.code, 1, "{}", r.all());
        contains(&r.stdout, "conflict src/generated/loan_store.rs");
        assert!(!r.all().contains(SECRET), "{}", r.all());
    }
}

/// A component removed from the blueprint: its generated module goes, its
/// user module stays (deleting the user's code is the user's decision).
#[test]
fn removed_component_removes_generated_code_only() {
    let (dir, file) = project();
    let out = dir.path().join("library_loans");
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let blueprint = fs::read_to_string(&file).unwrap();
    let without = blueprint
        .replace(
            "    - name: loan_api\n      type: APIEndpoint\n      configuration: { port: 8080 }\n      outputs: [{ name: commands, schema: Loan }]\n",
            "",
        )
        .replace(
            "  bindings:\n    - from: loan_api.commands\n      to: loan_store.input\n",
            "",
        );
    assert!(!without.contains("loan_api"), "the fixture changed shape");
    fs::write(&file, without).unwrap();
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml"]);
    assert_eq!(r.code, 0, "{}", r.all());
    contains(&r.stdout, "remove src/generated/loan_api.rs\n");
    contains(&r.stdout, "keep src/components/loan_api.rs (yours)\n");
    assert!(!out.join("src/generated/loan_api.rs").exists());
    assert!(out.join("src/components/loan_api.rs").is_file());
    let r = run_in(dir.path(), &["generate", "app.blueprint.yaml", "--check"]);
    assert_eq!(r.code, 0, "{}", r.all());
}
