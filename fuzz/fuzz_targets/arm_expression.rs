//! The ARM template expression language: any string, evaluated against parameters with and
//! without values, must give a value, an unknown or an error — never a panic or a hang.
#![no_main]

use kvscan::source::arm::{evaluate_string, DeploymentInfo, EvalContext, EvalValue};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut ctx = EvalContext::new(DeploymentInfo::default());
    ctx.set_parameter("name", EvalValue::Known(json!("kv-fuzz")));
    ctx.set_parameter("count", EvalValue::Known(json!(3)));
    ctx.set_parameter("list", EvalValue::Known(json!(["a", {"b": [1, 2]}])));
    ctx.declare_parameter("missing");
    ctx.set_variable("self", json!("[variables('self')]"));
    ctx.set_variable("prefix", json!("[concat(parameters('name'), '-')]"));
    let _ = evaluate_string(text, &ctx);
    // The same text as an expression body.
    let _ = evaluate_string(&format!("[{text}]"), &ctx);
});
