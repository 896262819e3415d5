//! Store default: execute what a message asks of the enhanced store and
//! answer the request that carried it.

use serde_json::{json, Value};

use crate::component::{ComponentError, Message, Operation};
use crate::store::Store;

/// Run `message` against `store`. With an operation (a REST request) it is
/// executed and answered on `message.reply`; without one the record is a
/// pushed write: an object is created, an array (a batch) is created in
/// chunks of `batch_size`, each chunk one transaction.
///
/// Returns the records written, for the component to emit downstream
/// (empty for reads and deletes). On failure the reply is answered with the
/// error and the error is returned too, so it is counted and logged; the
/// harness's own answer after that is ignored (the first answer wins).
pub async fn handle(
    store: &Store,
    message: &Message,
    batch_size: usize,
) -> Result<Vec<Value>, ComponentError> {
    match execute(store, message, batch_size).await {
        Ok((answer, written)) => {
            message.respond(Ok(answer));
            Ok(written)
        }
        Err(e) => {
            message.respond(Err(e.clone()));
            Err(e)
        }
    }
}

/// The answer to the requester and the records written.
async fn execute(
    store: &Store,
    message: &Message,
    batch_size: usize,
) -> Result<(Value, Vec<Value>), ComponentError> {
    let record = &message.record;
    let missing = |key: &str| ComponentError::not_found(format!("no record with key \"{key}\""));
    match &message.operation {
        None | Some(Operation::Create) => match record {
            Value::Array(records) => {
                // Downstream sees the rows as stored (defaults applied), as
                // it does after a single create.
                let mut stored = Vec::with_capacity(records.len());
                for chunk in records.chunks(batch_size.max(1)) {
                    stored.extend(store.create_many_stored(chunk).await?);
                }
                Ok((Value::Array(stored.clone()), stored))
            }
            _ => {
                let stored = store.create(record).await?;
                Ok((stored.clone(), vec![stored]))
            }
        },
        Some(Operation::Read { key }) => {
            let found = store.get(&store.key_from_path(key)?).await?;
            Ok((found.ok_or_else(|| missing(key))?, vec![]))
        }
        Some(Operation::List { offset, limit }) => {
            let items = store.list(*offset, *limit).await?;
            let answer = json!({ "items": items, "offset": offset, "limit": limit });
            Ok((answer, vec![]))
        }
        Some(Operation::Update { key }) => {
            let updated = store.update(&store.key_from_path(key)?, record).await?;
            let stored = updated.ok_or_else(|| missing(key))?;
            Ok((stored.clone(), vec![stored]))
        }
        Some(Operation::Delete { key }) => {
            if store.delete(&store.key_from_path(key)?).await? {
                Ok((Value::Null, vec![]))
            } else {
                Err(missing(key))
            }
        }
    }
}
