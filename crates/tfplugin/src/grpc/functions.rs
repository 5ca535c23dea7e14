//! RPCs of provider-defined functions: list and call.

use super::wire::{decode, encode, function_to_proto};
use super::{ProviderService, pb};
use crate::diag::Diagnostics;
use crate::framework::Provider;

impl<P: Provider> ProviderService<P> {
    pub(super) fn handle_get_functions(&self) -> pb::get_functions::Response {
        pb::get_functions::Response {
            functions: self
                .registry()
                .functions
                .iter()
                .map(|(n, f)| (n.to_string(), function_to_proto(f.as_ref())))
                .collect(),
            diagnostics: Vec::new(),
        }
    }

    /// Function failures travel as a `FunctionError`, not as diagnostics.
    pub(super) fn handle_call_function(
        &self,
        request: pb::call_function::Request,
    ) -> pb::call_function::Response {
        let Some(function) = self.registry().functions.get(request.name.as_str()) else {
            return call_failed(
                format!("This provider has no function named {:?}.", request.name),
                None,
            );
        };
        let sig = function.signature();
        let fixed = sig.parameters.len();
        let count = request.arguments.len();
        if count < fixed || (count > fixed && sig.variadic.is_none()) {
            let text = format!("{} takes {fixed} argument(s), got {count}.", request.name);
            return call_failed(text, None);
        }
        // The fixed parameters, then the variadic one for every extra argument.
        let params = (0..count).filter_map(|i| sig.parameters.get(i).or(sig.variadic.as_ref()));
        let mut args = Vec::with_capacity(count);
        for (i, (arg, param)) in request.arguments.iter().zip(params).enumerate() {
            let mut diags = Diagnostics::new();
            match decode(Some(arg), &param.ty, "function argument", &mut diags) {
                Some(v) => args.push(v),
                None => {
                    return call_failed(
                        format!("Argument {:?} has the wrong type.", param.name),
                        Some(i),
                    );
                }
            }
        }
        // The typed function takes its variadic arguments as one list.
        if sig.variadic.is_some() {
            let variadic = args.split_off(fixed.min(args.len()));
            args.push(crate::value::Value::List(variadic));
        }
        match function.call(args) {
            Ok(value) => {
                let mut diags = Diagnostics::new();
                match encode(&value, &sig.return_type, &mut diags) {
                    Some(result) => pb::call_function::Response {
                        result: Some(result),
                        error: None,
                    },
                    None => call_failed(
                        "The function produced a value of the wrong type (provider bug).".into(),
                        None,
                    ),
                }
            }
            Err(e) => call_failed(e.message, e.argument),
        }
    }
}

fn call_failed(text: String, argument: Option<usize>) -> pb::call_function::Response {
    pb::call_function::Response {
        result: None,
        error: Some(pb::FunctionError {
            text,
            function_argument: argument.map(|a| a as i64),
        }),
    }
}
