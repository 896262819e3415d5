//! Which shape and key a position in the file is in: what hover shows the
//! doc of, and what completion offers the keys of.

use super::{configuration, root, Field, Kind, Shape};
use crate::model::ComponentType;
use crate::yaml::{Entry, Node, Value};

/// Where an offset is, in terms of the language.
#[derive(Debug)]
pub struct Location<'n> {
    /// The shape of the innermost mapping around the offset.
    pub shape: &'static Shape,
    /// That mapping.
    pub mapping: &'n Node,
    /// The entry of that mapping whose key or value holds the offset, if
    /// any (none on a blank line between entries).
    pub entry: Option<&'n Entry>,
    /// The entry's field, when the shape declares its key.
    pub field: Option<&'static Field>,
    /// Whether the offset is on the entry's key rather than in its value.
    pub on_key: bool,
}

/// The innermost mapping with a shape that holds `offset`, descending
/// through lists, maps of names and each component's `configuration` (by
/// its `type`). `None` when the offset is outside the root mapping.
pub fn locate(root_node: &Node, offset: usize) -> Option<Location<'_>> {
    root_node.as_mapping()?;
    let mut shape = root();
    let mut mapping = root_node;
    loop {
        let entries = mapping.as_mapping().unwrap_or(&[]);
        let entry = entries.iter().find(|e| {
            e.key_span.contains(offset) || e.key_span.end == offset || contains(&e.value, offset)
        });
        let Some(entry) = entry else {
            return Some(Location {
                shape,
                mapping,
                entry: None,
                field: None,
                on_key: false,
            });
        };
        let field = shape.field(&entry.key);
        let on_key = entry.key_span.contains(offset) || entry.key_span.end == offset;
        let nested = match field {
            Some(field) if !on_key => {
                let kind_shape = if shape.id == "component"
                    && matches!(entry.key.as_str(), "configuration" | "config")
                {
                    mapping
                        .get("type")
                        .and_then(Node::as_str)
                        .and_then(ComponentType::parse)
                        .map(configuration)
                        .map(|s| (s, &entry.value))
                } else {
                    None
                };
                kind_shape.or_else(|| descend(&field.kind, &entry.value, offset))
            }
            _ => None,
        };
        match nested {
            Some((inner, node)) => {
                shape = inner;
                mapping = node;
            }
            None => {
                return Some(Location {
                    shape,
                    mapping,
                    entry: Some(entry),
                    field,
                    on_key,
                })
            }
        }
    }
}

/// The shaped mapping inside `node` (a value of kind `kind`) that holds
/// `offset`.
fn descend<'n>(kind: &Kind, node: &'n Node, offset: usize) -> Option<(&'static Shape, &'n Node)> {
    match (kind, &node.value) {
        (Kind::Object(shape), Value::Mapping(_)) => Some((shape(), node)),
        (Kind::List(item), Value::Sequence(items)) => items
            .iter()
            .find(|i| contains(i, offset))
            .and_then(|i| descend(item, i, offset)),
        (Kind::Map { value, .. }, Value::Mapping(entries)) => entries
            .iter()
            .find(|e| contains(&e.value, offset))
            .and_then(|e| descend(value, &e.value, offset)),
        (Kind::OneOf(kinds), _) => kinds.iter().find_map(|k| descend(k, node, offset)),
        _ => None,
    }
}

/// Whether `offset` is inside `node`, its end included (the cursor right
/// after a value is still "in" it for completion).
fn contains(node: &Node, offset: usize) -> bool {
    node.span.start <= offset && offset <= node.span.end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    const TEXT: &str = "system:\n  name: s\n  databases:\n    main:\n      pool: { max_connections: 5 }\n  components:\n    - name: api\n      type: APIEndpoint\n      configuration: { port: 8080 }\n";

    fn at(needle: &str) -> (String, Option<String>, bool) {
        let parsed = yaml::parse(TEXT);
        let root = parsed.root.expect("a document");
        let offset = TEXT.find(needle).expect(needle) + 1;
        let location = locate(&root, offset).expect("located");
        (
            location.shape.id.to_owned(),
            location.field.map(|f| f.key.to_owned()),
            location.on_key,
        )
    }

    #[test]
    fn locates_keys_and_values_through_lists_maps_and_configuration() {
        assert_eq!(
            at("system"),
            ("blueprint".into(), Some("system".into()), true)
        );
        assert_eq!(at("name: s"), ("system".into(), Some("name".into()), true));
        assert_eq!(
            at("max_connections"),
            ("pool".into(), Some("max_connections".into()), true)
        );
        assert_eq!(
            at("APIEndpoint"),
            ("component".into(), Some("type".into()), false)
        );
        assert_eq!(
            at("port"),
            (
                "configuration.APIEndpoint".into(),
                Some("port".into()),
                true
            )
        );
    }
}
