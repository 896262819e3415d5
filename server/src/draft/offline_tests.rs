use blueprint_grammars::interpolate::Environment;
use blueprint_grammars::SourceText;

use super::*;
use crate::analysis::{self, Severity};

/// The environment a user running the draft would have: `DATABASE_URL`
/// set for the engines that have no default.
fn env_for(yaml: &str) -> Environment {
    let url = if yaml.contains("engine: postgres") {
        "postgres://app@localhost:5432/app"
    } else if yaml.contains("engine: mysql") {
        "mysql://app@localhost:3306/app"
    } else {
        "sqlite://app.db"
    };
    Environment::new([("DATABASE_URL".to_owned(), url.to_owned())])
}

/// Drafts, checks determinism, and asserts the draft passes every tier
/// with no error and no warning.
fn drafted(description: &str) -> OfflineDraft {
    drafted_allowing(description, &[])
}

/// [`drafted`], with warnings of the rules in `allowed` tolerated.
fn drafted_allowing(description: &str, allowed: &[&str]) -> OfflineDraft {
    let first = draft(description);
    assert_eq!(
        first,
        draft(description),
        "not deterministic: {description}"
    );
    let diagnostics = analysis::check(&SourceText::new(first.yaml.clone()), &env_for(&first.yaml));
    let serious: Vec<String> = diagnostics
        .iter()
        .filter(|d| {
            d.severity == Severity::Error
                || (d.severity == Severity::Warning && !allowed.contains(&d.rule.code))
        })
        .map(|d| format!("{} {}", d.rule.code, d.message))
        .collect();
    assert!(
        serious.is_empty(),
        "{description:?} drafted\n{}\nwith {serious:#?}",
        first.yaml
    );
    first
}

fn schema_of<'a>(yaml: &'a str, name: &str) -> &'a str {
    let start = yaml
        .find(&format!("\n  {name}:\n"))
        .unwrap_or_else(|| panic!("no schema {name} in\n{yaml}"))
        + 1;
    // Up to the next line indented by exactly two spaces (the next schema).
    let rest = &yaml[start..];
    let end = rest
        .match_indices('\n')
        .map(|(at, _)| at + 1)
        .find(|&at| rest[at..].starts_with("  ") && !rest[at..].starts_with("   "))
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn single_entity_with_fields() {
    let d = drafted(
        "a REST API to manage tasks with a title, a due date and a done flag, stored in PostgreSQL",
    );
    assert!(d.notes.is_empty(), "{:?}", d.notes);
    assert!(d.yaml.contains("  name: task_manager\n"));
    assert!(d.yaml.contains("table: tasks, key: id"));
    let task = schema_of(&d.yaml, "Task");
    assert!(task.contains("id: { type: string, format: uuid }"));
    assert!(task.contains("title: { type: string, maxLength: 200 }"));
    assert!(task.contains("due_date: { type: string, format: date-time }"));
    assert!(task.contains("done: { type: boolean, default: false }"));
    assert!(task.contains("required: [id, title]"));
}

#[test]
fn two_entities_each_with_their_fields() {
    let d = drafted("track customers (name, email, age) and orders (total, placed_at, paid)");
    assert!(d.yaml.contains("  name: customer_order_tracker\n"));
    let customer = schema_of(&d.yaml, "Customer");
    assert!(customer.contains("email: { type: string, format: email"));
    assert!(customer.contains("age: { type: integer"));
    let order = schema_of(&d.yaml, "Order");
    assert!(order.contains("total: { type: number }"));
    assert!(order.contains("placed_at: { type: string, format: date-time }"));
    assert!(order.contains("paid: { type: boolean"));
    assert!(order.contains("required: [id, total]"));
    // One API per entity, on its own port, each bound to its store.
    assert!(d.yaml.contains("name: customer_api"));
    assert!(d.yaml.contains("configuration: { port: 8081 }"));
    assert!(d
        .yaml
        .contains("- from: order_api.commands\n      to: order_store.input"));
}

#[test]
fn fields_after_with_go_to_the_entity_before_them() {
    let d = drafted(
        "manage customers with a name and an email address, and orders with a total and a quantity",
    );
    let customer = schema_of(&d.yaml, "Customer");
    assert!(customer.contains("email_address: { type: string, format: email"));
    assert!(!customer.contains("total"));
    let order = schema_of(&d.yaml, "Order");
    assert!(order.contains("quantity: { type: integer"));
}

#[test]
fn engines_from_words() {
    for (description, engine, url) in [
        (
            "manage tasks in postgres",
            "postgres",
            "${DATABASE_URL:-postgres://localhost:5432/task_manager}",
        ),
        (
            "manage tasks in PostgreSQL",
            "postgres",
            "${DATABASE_URL:-postgres://localhost:5432/task_manager}",
        ),
        (
            "manage tasks in MySQL",
            "mysql",
            "${DATABASE_URL:-mysql://localhost:3306/task_manager}",
        ),
        (
            "manage tasks on MariaDB",
            "mysql",
            "${DATABASE_URL:-mysql://localhost:3306/task_manager}",
        ),
        (
            "manage tasks in sqlite",
            "sqlite",
            "${DATABASE_URL:-sqlite://task_manager.db}",
        ),
        (
            "manage tasks",
            "sqlite",
            "${DATABASE_URL:-sqlite://task_manager.db}",
        ),
    ] {
        let d = drafted(description);
        assert!(
            d.yaml
                .contains(&format!("engine: {engine}\n      url: {url}\n")),
            "{description}:\n{}",
            d.yaml
        );
    }
}

#[test]
fn field_types_from_names() {
    let d = drafted(
        "record measurements (sensor id, taken_at, when, is_valid, active, count, price, \
         contact email, website, phone number, notes, label)",
    );
    let m = schema_of(&d.yaml, "Measurement");
    for expected in [
        "sensor_id: { type: string, format: uuid }",
        "taken_at: { type: string, format: date-time }",
        "when: { type: string, format: date-time }",
        "is_valid: { type: boolean",
        "active: { type: boolean",
        "count: { type: integer",
        "price: { type: number }",
        "contact_email: { type: string, format: email",
        "website: { type: string, format: uri",
        "phone_number: { type: string, maxLength: 200 }",
        "notes: { type: string }",
        "label: { type: string, maxLength: 200 }",
    ] {
        assert!(m.contains(expected), "no {expected:?} in\n{m}");
    }
    // The first text field is the descriptive one.
    assert!(m.contains("required: [id, phone_number]"), "{m}");
}

#[test]
fn other_phrasings() {
    assert!(drafted("an app for books").yaml.contains("table: books"));
    let d = drafted("customers and orders in mysql");
    assert!(d.yaml.contains("table: customers") && d.yaml.contains("table: orders"));
    let d = drafted("keep track of the employee's name and salary");
    assert!(schema_of(&d.yaml, "Employee").contains("salary: { type: number }"));
    let d = drafted("catalogue categories and boxes");
    assert!(d.yaml.contains("table: categories") && d.yaml.contains("table: boxes"));
    assert!(d.yaml.contains("  Category:\n") && d.yaml.contains("  Box:\n"));
}

#[test]
fn descriptions_it_cannot_read_still_give_a_valid_blueprint() {
    let d = drafted("asdf qwerty");
    assert!(d.yaml.contains("name: asdf_api") || d.yaml.contains("name: asdf_store"));
    assert!(d.notes.iter().any(|n| n.contains("could not tell")));
    for nonsense in [
        "!!!",
        "héllo wörld",
        "123 456",
        "the a an of",
        "on",
        "y: n # - [x]",
    ] {
        let d = drafted(nonsense);
        assert!(d.yaml.contains("  Item:\n"), "{nonsense}:\n{}", d.yaml);
        assert!(!d.notes.is_empty());
    }
}

#[test]
fn awkward_descriptions_are_quoted_and_kept() {
    let description = "tasks: \"urgent\" # not a comment\n\tand\tnotes";
    let d = drafted(description);
    assert!(d.yaml.contains(
        r#"natural_language_description: "tasks: \"urgent\" # not a comment and notes""#
    ));
}

#[test]
fn many_entities_are_capped() {
    let d = drafted("manage alphas, betas, gammas, deltas, epsilons, zetas, etas, thetas, iotas, kappas and lambdas");
    assert_eq!(d.yaml.matches("type: Store").count(), MAX_ENTITIES);
}

#[test]
fn snapshot_tasks_in_postgres() {
    insta::assert_snapshot!(
        draft("a REST API to manage tasks with a title, a due date and a done flag, stored in PostgreSQL")
            .yaml
    );
}

#[test]
fn snapshot_customers_and_orders_in_mysql() {
    insta::assert_snapshot!(
        draft("track customers (name, email, age) and orders (total, placed_at, paid) in MySQL")
            .yaml
    );
}

#[test]
fn snapshot_nonsense() {
    insta::assert_snapshot!(draft("hmm, something nice?").yaml);
}

#[test]
fn plurals_followed_by_their_fields_are_entities() {
    let d = drafted(
        "An inventory system for a warehouse: products with a SKU, a name, a price and a \
         stock count; suppliers with a name and an email",
    );
    assert!(d.yaml.contains("table: products") && d.yaml.contains("table: suppliers"));
    assert!(!d.yaml.contains("warehouses"));
    assert!(schema_of(&d.yaml, "Product").contains("stock_count: { type: integer"));
    // Fields given in a later sentence join the entity named earlier.
    let d = drafted("Library: manage books and loans. Books have a title and a published year.");
    let book = schema_of(&d.yaml, "Book");
    assert!(book.contains("published_year: { type: integer") && book.contains("title:"));
    let d = drafted("CRUD for students (first name, birth date, enrolled) using MariaDB");
    let student = schema_of(&d.yaml, "Student");
    assert!(student.contains("enrolled: { type: boolean") && d.yaml.contains("engine: mysql"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever is typed, the draft is a valid blueprint (and nothing panics).
    #[test]
    fn any_description_drafts_a_valid_blueprint(description in "\\PC{0,120}") {
        drafted_allowing(&description, &["BP402"]);
    }

    /// The same, from words the drafter reacts to, in any order.
    #[test]
    fn any_arrangement_of_keywords_drafts_a_valid_blueprint(
        picks in proptest::collection::vec(0usize..24, 0..16)
    ) {
        const WORDS: [&str; 24] = [
            "manage", "tasks", "with", "a", "title", ",", "and", "(", ")", "for", "orders",
            "due date", "done flag", "stored in", "postgres", "mysql", "sqlite", "'s", "the",
            "users", "have", "email", ".", "id",
        ];
        let description: Vec<&str> = picks.iter().map(|&i| WORDS[i]).collect();
        // Naming two engines is the description's own contradiction, which
        // the draft keeps (it is the user's text): BP402 says so.
        drafted_allowing(&description.join(" "), &["BP402"]);
    }
}

#[test]
fn an_owned_entity_gets_a_reference_to_its_owner() {
    for description in [
        "manage customers and their orders with a total",
        "a shop with customers (name, email) and the customer's orders (total)",
        "manage customers (name) and orders (total); each order belongs to a customer",
    ] {
        let d = drafted(description);
        let order = schema_of(&d.yaml, "Order");
        assert!(
            order.contains("customer_id: { type: string, format: uuid }"),
            "{description}:\n{}",
            d.yaml
        );
        assert!(
            !schema_of(&d.yaml, "Customer").contains("order_id"),
            "{}",
            d.yaml
        );
        assert!(
            d.notes.iter().any(|n| n.contains("customer_id")),
            "{:?}",
            d.notes
        );
    }
    // Two things named side by side are not owned.
    let d = drafted("track customers (name) and orders (total)");
    assert!(!d.yaml.contains("customer_id"), "{}", d.yaml);
}
