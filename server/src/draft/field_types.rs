//! The JSON Schema type a field's name suggests (`due_date` → date-time,
//! `done` → boolean, `email` → email …), and its YAML.

use super::offline::Field;
use super::words;

/// The JSON Schema type a field's name suggests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldType {
    Uuid,
    DateTime,
    Boolean,
    Integer,
    Number,
    Email,
    Uri,
    /// A short string (names, titles): bounded, so columns get a size.
    ShortText,
    /// Free text (descriptions, notes): unbounded.
    LongText,
}

/// The type a field's name (or "flag") suggests.
pub(crate) fn field_type(field: &Field) -> FieldType {
    let name = field.name.as_str();
    // Types are read from the singular: "salaries" are salaries.
    let last = words::singularize(name.rsplit('_').next().unwrap_or(name));
    let last = last.as_str();
    if field.flag {
        return FieldType::Boolean;
    }
    if name == "id" || last == "id" || name.ends_with("_uuid") {
        return FieldType::Uuid;
    }
    if name.contains("email") {
        return FieldType::Email;
    }
    if matches!(last, "url" | "uri" | "website" | "link" | "homepage") {
        return FieldType::Uri;
    }
    if matches!(
        last,
        "date" | "time" | "timestamp" | "when" | "deadline" | "at" | "birthday" | "datetime"
    ) || matches!(name, "created" | "updated" | "deleted_on" | "due")
    {
        return FieldType::DateTime;
    }
    if name.starts_with("is_")
        || name.starts_with("has_")
        || matches!(
            name,
            "done"
                | "completed"
                | "complete"
                | "finished"
                | "active"
                | "enabled"
                | "archived"
                | "deleted"
                | "paid"
                | "verified"
                | "published"
                | "flag"
                | "visible"
                | "available"
                | "read"
                | "enrolled"
                | "approved"
                | "confirmed"
                | "shipped"
                | "delivered"
                | "cancelled"
                | "canceled"
                | "locked"
                | "blocked"
                | "subscribed"
                | "resolved"
                | "closed"
                | "public"
                | "private"
                | "featured"
                | "favorite"
                | "favourite"
                | "starred"
                | "pinned"
        )
    {
        return FieldType::Boolean;
    }
    // Numbers that are really identifiers: leading zeros, `+`, spaces.
    let numeric_looking_text = [
        "phone", "zip", "postal", "postcode", "serial", "account", "card", "tracking", "isbn",
        "vat",
    ];
    if name.split('_').any(|w| numeric_looking_text.contains(&w)) {
        return FieldType::ShortText;
    }
    if matches!(
        last,
        "count"
            | "quantity"
            | "qty"
            | "age"
            | "number"
            | "stock"
            | "year"
            | "priority"
            | "rank"
            | "position"
            | "pages"
            | "level"
            | "size"
            | "duration"
            | "minutes"
            | "seconds"
            | "days"
            | "hours"
            | "votes"
            | "likes"
            | "views"
    ) || name.starts_with("num_")
    {
        return FieldType::Integer;
    }
    if matches!(
        last,
        "amount"
            | "price"
            | "total"
            | "cost"
            | "balance"
            | "salary"
            | "weight"
            | "score"
            | "rating"
            | "latitude"
            | "longitude"
            | "lat"
            | "lng"
            | "lon"
            | "percent"
            | "percentage"
            | "rate"
            | "fee"
            | "budget"
            | "height"
            | "width"
            | "distance"
            | "temperature"
    ) {
        return FieldType::Number;
    }
    if matches!(
        last,
        "description"
            | "notes"
            | "note"
            | "body"
            | "content"
            | "text"
            | "comment"
            | "comments"
            | "bio"
            | "summary"
            | "details"
            | "message"
    ) {
        return FieldType::LongText;
    }
    FieldType::ShortText
}

pub(crate) fn property_yaml(field_type: FieldType) -> &'static str {
    match field_type {
        FieldType::Uuid => "{ type: string, format: uuid }",
        FieldType::DateTime => "{ type: string, format: date-time }",
        FieldType::Boolean => "{ type: boolean, default: false }",
        FieldType::Integer => "{ type: integer, minimum: 0 }",
        FieldType::Number => "{ type: number }",
        FieldType::Email => "{ type: string, format: email, maxLength: 320 }",
        FieldType::Uri => "{ type: string, format: uri, maxLength: 2000 }",
        FieldType::ShortText => "{ type: string, maxLength: 200 }",
        FieldType::LongText => "{ type: string }",
    }
}

/// The field that says what a record is (a title, a name) and is therefore
/// required: the first text field, else the first field.
pub(crate) fn descriptive_field(fields: &[Field]) -> Option<&Field> {
    fields
        .iter()
        .find(|f| matches!(field_type(f), FieldType::ShortText | FieldType::LongText))
        .or_else(|| fields.first())
}
