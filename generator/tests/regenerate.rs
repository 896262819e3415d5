//! Regeneration in temporary directories: the manifest's promises end to end.

use std::fs;
use std::path::Path;

use blueprint_generator::{apply, check, plan, Action, Error, FileKind, Kind, Manifest, Produced};

fn generated(path: &str, contents: &str) -> Produced {
    Produced {
        path: path.into(),
        contents: contents.into(),
        kind: Kind::Generated,
    }
}

fn user(path: &str, contents: &str) -> Produced {
    Produced {
        path: path.into(),
        contents: contents.into(),
        kind: Kind::UserOwned,
    }
}

fn base() -> Vec<Produced> {
    vec![
        generated("src/main.rs", "fn main() {}\n"),
        generated("src/users/generated.rs", "pub struct Users;\n"),
        user("src/users/user.rs", "impl UsersHooks for Users {}\n"),
    ]
}

/// Plans against the manifest on disk, as `blueprint generate` will.
fn plan_in(dir: &Path, produced: Vec<Produced>) -> blueprint_generator::Plan {
    plan(dir, &Manifest::load(dir).unwrap(), produced).unwrap()
}

fn run(dir: &Path, produced: Vec<Produced>) -> Vec<Action> {
    let p = plan_in(dir, produced);
    apply(&p, false).unwrap();
    p.actions
}

fn read(dir: &Path, path: &str) -> String {
    fs::read_to_string(dir.join(path)).unwrap()
}

fn create(path: &str) -> Action {
    Action::Create { path: path.into() }
}

fn unchanged(path: &str) -> Action {
    Action::Unchanged { path: path.into() }
}

fn skip(path: &str) -> Action {
    Action::SkipUserOwned { path: path.into() }
}

#[test]
fn first_generation_creates_everything_and_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let p = plan_in(dir.path(), base());
    assert!(!check(&p));
    let actions = p.actions.clone();
    let applied = apply(&p, false).unwrap();
    assert_eq!(
        actions,
        vec![
            create("src/main.rs"),
            create("src/users/generated.rs"),
            create("src/users/user.rs")
        ]
    );
    assert_eq!(
        read(dir.path(), "src/users/generated.rs"),
        "pub struct Users;\n"
    );
    let m = Manifest::load(dir.path()).unwrap();
    assert_eq!(m, applied.manifest);
    assert_eq!(m.files.len(), 3);
    assert_eq!(m.files["src/users/user.rs"].kind, FileKind::User);
    assert_eq!(m.files["src/main.rs"].kind, FileKind::Generated);
}

#[test]
fn second_run_is_unchanged_and_check_passes() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), base());
    let p = plan_in(dir.path(), base());
    assert!(check(&p));
    assert_eq!(
        p.actions,
        vec![
            unchanged("src/main.rs"),
            unchanged("src/users/generated.rs"),
            skip("src/users/user.rs")
        ]
    );
}

#[test]
fn changed_generated_contents_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), base());
    let mut next = base();
    next[1].contents = "pub struct Users { pool: Pool }\n".into();
    let p = plan_in(dir.path(), next.clone());
    assert!(!check(&p));
    assert_eq!(
        p.actions[1],
        Action::Overwrite {
            path: "src/users/generated.rs".into()
        }
    );
    apply(&p, false).unwrap();
    assert_eq!(read(dir.path(), "src/users/generated.rs"), next[1].contents);
    assert!(check(&plan_in(dir.path(), next)));
}

#[test]
fn hand_edited_generated_file_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), base());
    let edited = "pub struct Users;\n// my tweak\n";
    fs::write(dir.path().join("src/users/generated.rs"), edited).unwrap();
    let mut next = base();
    next[1].contents = "pub struct Users { pool: Pool }\n".into();

    let p = plan_in(dir.path(), next.clone());
    assert!(!check(&p));
    let Action::Conflict { path, diff } = &p.actions[1] else {
        panic!("{:?}", p.actions)
    };
    assert_eq!(path, "src/users/generated.rs");
    assert!(diff.contains("-// my tweak"), "{diff}");
    assert!(diff.contains("+pub struct Users { pool: Pool }"), "{diff}");
    assert!(diff.contains("src/users/generated.rs (on disk)"), "{diff}");

    // Not confirmed: left alone, and still a conflict next time.
    let applied = apply(&p, false).unwrap();
    assert_eq!(
        applied.unresolved_conflicts,
        vec!["src/users/generated.rs".to_string()]
    );
    assert_eq!(read(dir.path(), "src/users/generated.rs"), edited);
    let p = plan_in(dir.path(), next.clone());
    assert!(matches!(p.actions[1], Action::Conflict { .. }));

    // Confirmed: overwritten, and the manifest records the new hash.
    let applied = apply(&p, true).unwrap();
    assert!(applied.unresolved_conflicts.is_empty());
    assert_eq!(read(dir.path(), "src/users/generated.rs"), next[1].contents);
    let m = Manifest::load(dir.path()).unwrap();
    let expected = blueprint_generator::content_hash(next[1].contents.as_bytes());
    assert_eq!(m.files["src/users/generated.rs"].hash, expected);
    assert!(check(&plan_in(dir.path(), next)));
}

#[test]
fn unknown_file_in_the_way_is_a_conflict() {
    // A file we never wrote (no manifest entry) is not ours to overwrite.
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("src")).unwrap();
    fs::write(dir.path().join("src/main.rs"), "// mine\n").unwrap();
    let p = plan_in(dir.path(), base());
    assert!(matches!(p.actions[0], Action::Conflict { .. }));
}

#[test]
fn user_owned_file_is_written_once() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), base());
    let original = read(dir.path(), "src/users/user.rs");
    let mut next = base();
    next[2].contents = "// a newer template\n".into();
    assert_eq!(run(dir.path(), next.clone())[2], skip("src/users/user.rs"));
    assert_eq!(read(dir.path(), "src/users/user.rs"), original);

    // Edited by the user, and the template changes again: still untouched.
    fs::write(dir.path().join("src/users/user.rs"), "// my code\n").unwrap();
    next[2].contents = "// newer still\n".into();
    let p = plan_in(dir.path(), next);
    assert!(check(&p));
    apply(&p, true).unwrap();
    assert_eq!(read(dir.path(), "src/users/user.rs"), "// my code\n");
}

#[test]
fn files_no_longer_produced() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = base();
    first.push(generated("src/orders/generated.rs", "pub struct Orders;\n"));
    first.push(generated("src/audit.rs", "pub struct Audit;\n"));
    run(dir.path(), first);
    fs::write(
        dir.path().join("src/audit.rs"),
        "pub struct Audit; // edited\n",
    )
    .unwrap();

    let p = plan_in(dir.path(), base());
    assert!(!check(&p));
    assert!(p.actions.contains(&Action::Remove {
        path: "src/orders/generated.rs".into()
    }));
    assert!(p.actions.contains(&Action::KeepEdited {
        path: "src/audit.rs".into()
    }));
    apply(&p, false).unwrap();
    assert!(
        !dir.path().join("src/orders").exists(),
        "empty directory left behind"
    );
    assert_eq!(
        read(dir.path(), "src/audit.rs"),
        "pub struct Audit; // edited\n"
    );

    // The edited leftover is still reported, but is no reason to fail --check.
    let p = plan_in(dir.path(), base());
    assert!(p.actions.contains(&Action::KeepEdited {
        path: "src/audit.rs".into()
    }));
    assert!(check(&p));
}

#[test]
fn unsafe_paths_are_rejected_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let absolute = dir.path().join("escape.rs");
    for bad in [
        "../escape.rs",
        "src/../../escape.rs",
        absolute.to_str().unwrap(),
        "",
        ".blueprint/generated.json",
    ] {
        let mut produced = base();
        produced.push(generated(bad, "x"));
        let err = plan(&out, &Manifest::default(), produced).unwrap_err();
        assert!(matches!(err, Error::UnsafePath { .. }), "{bad}: {err}");
    }
    assert!(!out.exists() && !absolute.exists());
}

#[test]
fn duplicate_paths_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut produced = base();
    produced.push(generated("./src/main.rs", "fn main() { }\n"));
    let err = plan(dir.path(), &Manifest::default(), produced).unwrap_err();
    assert!(matches!(err, Error::Duplicate { .. }), "{err}");
}

#[test]
fn generated_file_with_digest_header() {
    use blueprint_generator::{digest, header, header_digest};
    let dir = tempfile::tempdir().unwrap();
    let slice = "users:\n  type: Store\n";
    let text = format!(
        "{}pub struct Users;\n",
        header("users", digest(slice), "src/users/user.rs")
    );
    run(dir.path(), vec![generated("src/users/generated.rs", &text)]);
    let on_disk = read(dir.path(), "src/users/generated.rs");
    assert_eq!(header_digest(&on_disk), Some(digest(slice)));
    assert_ne!(
        header_digest(&on_disk),
        Some(digest("users:\n  type: Queue\n"))
    );
}
