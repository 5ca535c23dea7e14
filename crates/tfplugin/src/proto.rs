//! Generated protocol code, fenced here: the rest of the crate goes through
//! the plugin layer's own types, never these paths directly.
#![allow(clippy::all, clippy::pedantic, missing_docs, unreachable_pub)]

pub mod tfplugin5 {
    tonic::include_proto!("tfplugin5");
}

pub mod plugin {
    tonic::include_proto!("plugin");
}
