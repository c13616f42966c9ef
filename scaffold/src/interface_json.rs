//! interface.json: the interface as data for runners (docs/fixture-interface.md, schema
//! conformance/schema/interface.schema.json), derived from UniFFI's `ComponentInterface`.

use anyhow::{bail, Result};
use serde_json::{json, Map, Value};
use uniffi_bindgen::interface::ffi::FfiType;
use uniffi_bindgen::interface::{AsType, Method, Type};

use crate::Input;

/// A type as interface.json spells it.
pub fn type_name(t: &Type) -> Result<String> {
    Ok(match t {
        Type::UInt8 => "u8".into(),
        Type::Int8 => "i8".into(),
        Type::UInt16 => "u16".into(),
        Type::Int16 => "i16".into(),
        Type::UInt32 => "u32".into(),
        Type::Int32 => "i32".into(),
        Type::UInt64 => "u64".into(),
        Type::Int64 => "i64".into(),
        Type::Float32 => "f32".into(),
        Type::Float64 => "f64".into(),
        Type::Boolean => "bool".into(),
        Type::String => "string".into(),
        Type::Bytes => "bytes".into(),
        Type::Object { name, .. }
        | Type::Record { name, .. }
        | Type::Enum { name, .. }
        | Type::CallbackInterface { name, .. } => name.clone(),
        Type::Optional { inner_type } => format!("optional<{}>", type_name(inner_type)?),
        Type::Sequence { inner_type } => format!("sequence<{}>", type_name(inner_type)?),
        Type::Map { key_type, value_type } => {
            format!("map<{},{}>", type_name(key_type)?, type_name(value_type)?)
        }
        Type::Box { inner_type } => type_name(inner_type)?,
        other => bail!("type {other:?} has no interface.json spelling (docs/fixture-interface.md)"),
    })
}

fn opt_type(t: Option<&Type>) -> Result<Value> {
    Ok(match t {
        Some(t) => Value::String(type_name(t)?),
        None => Value::Null,
    })
}

fn family(ret: Option<&Type>) -> String {
    FfiType::return_type_name(ret.map(FfiType::from).as_ref())
}

fn args<'a>(list: impl IntoIterator<Item = (&'a str, Type)>) -> Result<Value> {
    let mut out = Vec::new();
    for (name, t) in list {
        out.push(json!({"name": name, "type": type_name(&t)?}));
    }
    Ok(Value::Array(out))
}

fn put_doc(obj: &mut Map<String, Value>, doc: Option<&str>) {
    if let Some(d) = doc {
        obj.insert("doc".into(), Value::String(d.trim().to_string()));
    }
}

/// One callable (function, method or constructor) of `functions`.
#[allow(clippy::too_many_arguments)]
fn callable(
    name: &str,
    symbol: &str,
    checksum: &str,
    is_async: bool,
    arguments: Value,
    ret: Option<&Type>,
    throws: Option<&str>,
    doc: Option<&str>,
) -> Result<Map<String, Value>> {
    let mut f = Map::new();
    f.insert("name".into(), json!(name));
    f.insert("symbol".into(), json!(symbol));
    if !checksum.is_empty() {
        f.insert("checksum".into(), json!(checksum));
    }
    f.insert("async".into(), json!(is_async));
    f.insert("args".into(), arguments);
    f.insert("return".into(), opt_type(ret)?);
    f.insert("throws".into(), json!(throws));
    if is_async {
        f.insert("family".into(), json!(family(ret)));
    }
    put_doc(&mut f, doc);
    Ok(f)
}

/// The methods of a vtable (callback interface or foreign-implementable trait), in order.
fn vtable_methods(methods: &[&Method]) -> Result<Value> {
    let mut out = Vec::new();
    for m in methods {
        let a = args(m.arguments().iter().map(|a| (a.name(), a.as_type())))?;
        let mut v = callable(m.name(), "", m.checksum_fn_name(), m.is_async(), a, m.return_type(), m.throws_name(), m.docstring())?;
        v.shift_remove("symbol");
        out.push(Value::Object(v));
    }
    Ok(Value::Array(out))
}

/// The whole interface.json document.
pub fn interface(input: &Input) -> Result<Value> {
    let ci = &input.ci;
    let mut types = Map::new();
    for r in ci.record_definitions() {
        let mut t = Map::new();
        t.insert("kind".into(), json!("record"));
        t.insert("fields".into(), args(r.fields().iter().map(|f| (f.name(), f.as_type())))?);
        put_doc(&mut t, r.docstring());
        types.insert(r.name().to_string(), Value::Object(t));
    }
    for e in ci.enum_definitions() {
        let is_error = ci.is_name_used_as_error(e.name());
        if is_error && e.is_flat() {
            bail!(
                "error {} is a flat `[Error] enum` (its variants carry a message string that runners do \
                 not model); declare it as `[Error] interface {} {{ Variant(); }};`",
                e.name(),
                e.name()
            );
        }
        let mut variants = Vec::new();
        for v in e.variants() {
            variants.push(json!({
                "name": v.name(),
                "fields": args(v.fields().iter().map(|f| (f.name(), f.as_type())))?,
            }));
        }
        let mut t = Map::new();
        t.insert("kind".into(), json!(if is_error { "error" } else { "enum" }));
        t.insert("variants".into(), Value::Array(variants));
        put_doc(&mut t, e.docstring());
        types.insert(e.name().to_string(), Value::Object(t));
    }
    for o in ci.object_definitions() {
        let mut t = Map::new();
        t.insert("kind".into(), json!("object"));
        t.insert("free".into(), json!(o.ffi_object_free().name()));
        t.insert("clone".into(), json!(o.ffi_object_clone().name()));
        t.insert("trait".into(), json!(o.is_trait_interface()));
        if o.has_callback_interface() {
            // A trait either side implements: the foreign side's objects go through this vtable.
            t.insert("init".into(), json!(o.ffi_init_callback().name()));
            t.insert("methods".into(), vtable_methods(&o.methods())?);
        }
        put_doc(&mut t, o.docstring());
        types.insert(o.name().to_string(), Value::Object(t));
    }
    for cbi in ci.callback_interface_definitions() {
        let mut t = Map::new();
        t.insert("kind".into(), json!("callback_interface"));
        t.insert("init".into(), json!(cbi.ffi_init_callback().name()));
        t.insert("methods".into(), vtable_methods(&cbi.methods())?);
        put_doc(&mut t, cbi.docstring());
        types.insert(cbi.name().to_string(), Value::Object(t));
    }

    let mut functions = Vec::new();
    for f in ci.function_definitions() {
        let a = args(f.arguments().iter().map(|a| (a.name(), a.as_type())))?;
        let v = callable(f.name(), f.ffi_func().name(), f.checksum_fn_name(), f.is_async(), a, f.return_type(), f.throws_name(), f.docstring())?;
        functions.push(Value::Object(v));
    }
    for o in ci.object_definitions() {
        let obj_type = o.as_type();
        for c in o.constructors() {
            let a = args(c.arguments().iter().map(|a| (a.name(), a.as_type())))?;
            let mut v = callable(c.name(), c.ffi_func().name(), c.checksum_fn_name(), c.is_async(), a, Some(&obj_type), c.throws_name(), c.docstring())?;
            insert_after(&mut v, "async", "constructor", json!(o.name()));
            functions.push(Value::Object(v));
        }
        for m in o.methods() {
            let a = args(m.arguments().iter().map(|a| (a.name(), a.as_type())))?;
            let mut v = callable(m.name(), m.ffi_func().name(), m.checksum_fn_name(), m.is_async(), a, m.return_type(), m.throws_name(), m.docstring())?;
            insert_after(&mut v, "async", "receiver", json!(o.name()));
            functions.push(Value::Object(v));
        }
    }

    let mut doc = Map::new();
    doc.insert("namespace".into(), json!(ci.namespace()));
    doc.insert("crate_name".into(), json!(ci.crate_name()));
    doc.insert("udl".into(), json!(input.udl_name));
    doc.insert("library".into(), json!(input.library));
    if let Some(p) = &input.library_path {
        doc.insert("path".into(), json!(p));
    }
    doc.insert("profile".into(), json!(ci.uniffi_contract_version()));
    doc.insert("contract_version".into(), json!(ci.uniffi_contract_version()));
    doc.insert("uniffi_version".into(), json!(crate::UNIFFI_VERSION));
    let checksums: Map<String, Value> =
        ci.iter_checksums().map(|(name, value)| (name, json!(value))).collect();
    doc.insert("checksums".into(), Value::Object(checksums));
    doc.insert("types".into(), Value::Object(types));
    doc.insert("functions".into(), Value::Array(functions));
    Ok(Value::Object(doc))
}

/// Inserts key after `after`, keeping the order a reader expects.
fn insert_after(map: &mut Map<String, Value>, after: &str, key: &str, value: Value) {
    let old = std::mem::take(map);
    for (k, v) in old {
        let hit = k == after;
        map.insert(k, v);
        if hit {
            map.insert(key.into(), value.clone());
        }
    }
}
