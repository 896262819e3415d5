//! Default behaviour of each component type, which generated hooks call.
