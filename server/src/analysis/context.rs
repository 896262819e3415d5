//! What every pass of one check can see.

use std::collections::HashMap;

use blueprint_grammars::interpolate::Environment;
use blueprint_grammars::model::{Blueprint, Component, SchemaDef, System};

/// The blueprint under check, with name lookups built once.
pub struct Context<'a> {
    pub text: &'a str,
    pub blueprint: &'a Blueprint,
    pub env: &'a Environment,
    /// Component name -> index of its first definition.
    components: HashMap<&'a str, usize>,
    /// Schema name -> its first definition.
    schemas: HashMap<&'a str, &'a SchemaDef>,
}

impl<'a> Context<'a> {
    pub fn new(text: &'a str, blueprint: &'a Blueprint, env: &'a Environment) -> Self {
        let mut components = HashMap::new();
        if let Some(system) = &blueprint.system {
            for (i, c) in system.components.iter().enumerate() {
                if let Some(name) = c.name_str() {
                    components.entry(name).or_insert(i);
                }
            }
        }
        let mut schemas = HashMap::new();
        for def in &blueprint.schemas {
            schemas.entry(def.name.value.as_str()).or_insert(def);
        }
        Context {
            text,
            blueprint,
            env,
            components,
            schemas,
        }
    }

    pub fn system(&self) -> Option<&'a System> {
        self.blueprint.system.as_ref()
    }

    pub fn components(&self) -> &'a [Component] {
        self.system().map_or(&[], |s| &s.components)
    }

    /// Index of the component called `name`.
    pub fn component_index(&self, name: &str) -> Option<usize> {
        self.components.get(name).copied()
    }

    pub fn component(&self, name: &str) -> Option<&'a Component> {
        self.component_index(name).map(|i| &self.components()[i])
    }

    pub fn component_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.components().iter().filter_map(Component::name_str)
    }

    /// The schema called `name` (its first definition).
    pub fn schema(&self, name: &str) -> Option<&'a SchemaDef> {
        self.schemas.get(name).copied()
    }

    pub fn schema_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.blueprint.schemas.iter().map(|s| s.name.value.as_str())
    }
}
