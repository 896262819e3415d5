//! Router default: the first route whose condition holds picks the output.
//!
//! Conditions are parsed once at start-up, so a typo in a `when:` stops the
//! system with a message naming it instead of silently never matching.

use std::cmp::Ordering;

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// Longest spellings first, so `>=` is not read as `>`.
const OPS: [(&str, Op); 6] = [
    ("==", Op::Eq),
    ("!=", Op::Ne),
    (">=", Op::Ge),
    ("<=", Op::Le),
    (">", Op::Gt),
    ("<", Op::Lt),
];

#[derive(Clone, Debug)]
struct Condition {
    path: Vec<String>,
    op: Op,
    literal: Value,
}

/// Parsed routes in order, and where unmatched records go.
#[derive(Clone, Debug)]
pub struct Routes {
    routes: Vec<(Condition, String)>,
    default_output: Option<String>,
}

impl Routes {
    /// `routes` are `(when, output)` pairs. The grammar of `when` is
    /// `<field>[.<field>...] <op> <literal>`, ops `== != > >= < <=`,
    /// literals numbers, "double" or 'single' quoted strings, true, false,
    /// null.
    pub fn parse(
        routes: &[(String, String)],
        default_output: Option<String>,
    ) -> Result<Routes, String> {
        let routes = (routes.iter().enumerate())
            .map(|(i, (when, output))| {
                parse_condition(when)
                    .map(|c| (c, output.clone()))
                    .map_err(|e| format!("route {} (when: `{when}`): {e}", i + 1))
            })
            .collect::<Result<_, _>>()?;
        Ok(Routes {
            routes,
            default_output,
        })
    }

    /// The output for `record`: the first matching route's, else the
    /// default, else `None` (the caller drops the record and counts it).
    pub fn select(&self, record: &Value) -> Option<&str> {
        (self.routes.iter())
            .find(|(c, _)| c.holds(record))
            .map(|(_, output)| output.as_str())
            .or(self.default_output.as_deref())
    }
}

fn parse_condition(when: &str) -> Result<Condition, String> {
    let when = when.trim();
    let end = when
        .find(|c: char| c.is_whitespace() || "=!<>".contains(c))
        .unwrap_or(when.len());
    let field = &when[..end];
    if field.is_empty() {
        return Err("expected a field name before the operator".into());
    }
    let path: Vec<String> = field.split('.').map(str::to_owned).collect();
    if path.iter().any(|p| p.is_empty()) {
        return Err(format!("the field `{field}` has an empty segment"));
    }
    let rest = when[end..].trim_start();
    let (op, rest) = OPS
        .iter()
        .find_map(|(s, op)| rest.strip_prefix(s).map(|r| (*op, r)))
        .ok_or_else(|| {
            format!("expected one of == != > >= < <= after `{field}`, found `{rest}`")
        })?;
    let literal = parse_literal(rest.trim())?;
    Ok(Condition { path, op, literal })
}

fn parse_literal(text: &str) -> Result<Value, String> {
    if text.is_empty() {
        return Err("expected a literal after the operator".into());
    }
    match text {
        "true" => return Ok(Value::Bool(true)),
        "false" => return Ok(Value::Bool(false)),
        "null" => return Ok(Value::Null),
        _ => {}
    }
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'');
    if let Some(q) = quote {
        let inner = text
            .strip_prefix(q)
            .and_then(|t| t.strip_suffix(q))
            .filter(|_| text.len() >= 2)
            .ok_or_else(|| format!("the string {text} is not closed with {q}"))?;
        return unescape(inner, q).map(Value::String);
    }
    if let Ok(n) = serde_json::from_str::<serde_json::Number>(text) {
        return Ok(Value::Number(n));
    }
    Err(format!(
        "`{text}` is not a number, a quoted string, true, false or null (quote strings: \"{text}\")"
    ))
}

fn unescape(inner: &str, quote: char) -> Result<String, String> {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e == quote || e == '\\' => out.push(e),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                other => return Err(format!("unknown escape \\{}", other.unwrap_or(' '))),
            },
            c if c == quote => return Err(format!("unescaped {quote} inside the string")),
            c => out.push(c),
        }
    }
    Ok(out)
}

impl Condition {
    fn holds(&self, record: &Value) -> bool {
        let mut value = record;
        for segment in &self.path {
            match value.get(segment) {
                Some(v) => value = v,
                None => {
                    value = &Value::Null;
                    break;
                }
            }
        }
        let ordering = compare(value, &self.literal);
        // `!=` is the negation of `==`, so `field != null` tests presence;
        // the ordering operators hold only between values of one type.
        match self.op {
            Op::Eq => ordering == Some(Ordering::Equal),
            Op::Ne => ordering != Some(Ordering::Equal),
            Op::Gt => ordering == Some(Ordering::Greater),
            Op::Ge => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
            Op::Lt => ordering == Some(Ordering::Less),
            Op::Le => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
        }
    }
}

/// Numbers numerically, strings lexicographically, booleans and nulls by
/// equality; `None` for values of different types (never true).
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) if x == y => Some(Ordering::Equal),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) if a == b => {
            Some(Ordering::Equal)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn routes(pairs: &[(&str, &str)], default: Option<&str>) -> Result<Routes, String> {
        let pairs: Vec<(String, String)> = (pairs.iter())
            .map(|(w, o)| (w.to_string(), o.to_string()))
            .collect();
        Routes::parse(&pairs, default.map(str::to_owned))
    }

    #[test]
    fn first_match_wins_then_default() {
        let r = routes(
            &[
                ("amount >= 1000", "large"),
                ("customer.tier == 'gold'", "vip"),
                ("status != null", "tracked"),
            ],
            Some("rest"),
        )
        .unwrap();
        assert_eq!(r.select(&json!({"amount": 1000})), Some("large"));
        assert_eq!(
            r.select(&json!({"amount": 5.5, "customer": {"tier": "gold"}})),
            Some("vip")
        );
        assert_eq!(r.select(&json!({"status": "x"})), Some("tracked"));
        assert_eq!(
            r.select(&json!({"amount": "9999"})),
            Some("rest"),
            "string vs number"
        );
        assert_eq!(r.select(&json!({})), Some("rest"));
        let none = routes(&[("ok == true", "yes")], None).unwrap();
        assert_eq!(none.select(&json!({"ok": false})), None);
        assert_eq!(none.select(&json!({"ok": true})), Some("yes"));
    }

    #[test]
    fn strings_compare_lexicographically_and_null_matches_missing() {
        let r = routes(
            &[("name < \"m\"", "a_to_l"), ("gone == null", "missing")],
            None,
        )
        .unwrap();
        assert_eq!(r.select(&json!({"name": "kiwi"})), Some("a_to_l"));
        assert_eq!(r.select(&json!({"name": "zebra"})), Some("missing"));
        assert_eq!(r.select(&json!({"name": "zebra", "gone": 1})), None);
        let n = routes(&[("x<=-2.5", "neg")], None).unwrap();
        assert_eq!(n.select(&json!({"x": -3})), Some("neg"));
        assert_eq!(n.select(&json!({"x": 0})), None);
    }

    #[test]
    fn bad_conditions_are_named() {
        let err = routes(&[("a == 1", "x"), ("status = 'x'", "y")], None).unwrap_err();
        assert!(
            err.starts_with("route 2 (when: `status = 'x'`): expected one of"),
            "{err}"
        );
        let err = routes(&[("kind == open", "x")], None).unwrap_err();
        assert!(err.contains("`open` is not a number"), "{err}");
        for bad in ["== 1", "a.. == 1", "a ==", "a == 'x", "a == \"x\"y\""] {
            assert!(routes(&[(bad, "x")], None).is_err(), "{bad}");
        }
    }
}
