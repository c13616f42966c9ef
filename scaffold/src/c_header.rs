//! The C side: `<ns>_scaffolding.h` (every scaffolding symbol's prototype, the vtable structs
//! and callback types) and `<ns>_checksums.c` (UniFFI's checksums as C functions).
//!
//! Everything is rendered from `ComponentInterface::ffi_definitions()`, the list UniFFI's own
//! generators render their FFI declarations from. Types that `asyncabi/abi.h` already defines
//! are not redefined: callback typedefs are repeated (C11 accepts an identical typedef and
//! rejects a different one) and structs are checked field by field with static assertions, so
//! a header that disagrees with the runtime's types does not compile.

use std::collections::HashMap;
use std::fmt::Write;

use anyhow::Result;
use uniffi_bindgen::interface::ffi::{FfiArgument, FfiDefinition, FfiFunction, FfiType};
use uniffi_bindgen::interface::{AsType, Type};

use crate::interface_json::type_name;
use crate::Input;

/// Structs that `asyncabi/abi.h` defines (as UniFFI's generated headers name them).
const ABI_H_STRUCTS: &[&str] = &[
    "RustBuffer",
    "ForeignBytes",
    "RustCallStatus",
    "UniffiForeignFutureDroppedCallbackStruct",
    "UniffiForeignFutureResultU8",
    "UniffiForeignFutureResultI8",
    "UniffiForeignFutureResultU16",
    "UniffiForeignFutureResultI16",
    "UniffiForeignFutureResultU32",
    "UniffiForeignFutureResultI32",
    "UniffiForeignFutureResultU64",
    "UniffiForeignFutureResultI64",
    "UniffiForeignFutureResultF32",
    "UniffiForeignFutureResultF64",
    "UniffiForeignFutureResultRustBuffer",
    "UniffiForeignFutureResultVoid",
];

/// The C spelling of an FFI type.
pub fn c_type(t: &FfiType) -> String {
    match t {
        FfiType::UInt8 => "uint8_t".into(),
        FfiType::Int8 => "int8_t".into(),
        FfiType::UInt16 => "uint16_t".into(),
        FfiType::Int16 => "int16_t".into(),
        FfiType::UInt32 => "uint32_t".into(),
        FfiType::Int32 => "int32_t".into(),
        FfiType::UInt64 | FfiType::Handle => "uint64_t".into(),
        FfiType::Int64 => "int64_t".into(),
        FfiType::Float32 => "float".into(),
        FfiType::Float64 => "double".into(),
        FfiType::RustBuffer(_) => "RustBuffer".into(),
        FfiType::ForeignBytes => "ForeignBytes".into(),
        FfiType::RustCallStatus => "RustCallStatus".into(),
        FfiType::Callback(name) | FfiType::Struct(name) => format!("Uniffi{name}"),
        FfiType::Reference(inner) => format!("const {} *", c_type(inner)),
        FfiType::MutReference(inner) => format!("{} *", c_type(inner)),
        FfiType::VoidPointer => "void *".into(),
    }
}

fn declarator(t: &FfiType, name: &str) -> String {
    let ty = c_type(t);
    if ty.ends_with('*') {
        format!("{ty}{name}")
    } else {
        format!("{ty} {name}")
    }
}

fn param_list(args: &[&FfiArgument], call_status: bool) -> String {
    let mut params: Vec<String> = args.iter().map(|a| declarator(&a.type_(), a.name())).collect();
    if call_status {
        params.push("RustCallStatus *out_status".into());
    }
    if params.is_empty() {
        "void".into()
    } else {
        params.join(", ")
    }
}

fn first_line(doc: Option<&str>) -> Option<String> {
    doc.and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(|l| l.replace("*/", "* /"))
}

fn signature(
    qualified: &str,
    args: &[String],
    ret: Option<&Type>,
    is_async: bool,
    throws: Option<&str>,
) -> String {
    let mut s = format!("{qualified}({})", args.join(", "));
    if let Some(t) = ret {
        let _ = write!(s, " -> {}", type_name(t).unwrap_or_else(|_| "?".into()));
    }
    if let Some(e) = throws {
        let _ = write!(s, " throws {e}");
    }
    if is_async {
        let family = FfiType::return_type_name(ret.map(FfiType::from).as_ref());
        format!("async {s}: returns a future handle (family {family}).")
    } else {
        format!("{s}.")
    }
}

fn arg_names<T: AsType>(args: &[(&str, &T)]) -> Vec<String> {
    args.iter().map(|(n, t)| format!("{n}: {}", type_name(&t.as_type()).unwrap_or_else(|_| "?".into()))).collect()
}

/// One-line contract comments of the user-facing FFI functions, by symbol.
fn contracts(input: &Input) -> HashMap<String, String> {
    let ci = &input.ci;
    let ns = ci.namespace();
    let mut map = HashMap::new();
    let with_doc = |s: String, doc: Option<&str>| match first_line(doc) {
        Some(d) => format!("{s} {d}"),
        None => s,
    };
    for f in ci.function_definitions() {
        let args: Vec<_> = f.arguments().iter().map(|a| (a.name(), *a)).collect();
        let s = signature(&format!("{ns}.{}", f.name()), &arg_names(&args), f.return_type(), f.is_async(), f.throws_name());
        map.insert(f.ffi_func().name().to_string(), with_doc(s, f.docstring()));
    }
    for o in ci.object_definitions() {
        let obj_type = o.as_type();
        for c in o.constructors() {
            let args: Vec<_> = c.arguments().iter().map(|a| (a.name(), *a)).collect();
            let s = signature(&format!("{}::{}", o.name(), c.name()), &arg_names(&args), Some(&obj_type), c.is_async(), c.throws_name());
            map.insert(c.ffi_func().name().to_string(), with_doc(s, c.docstring()));
        }
        for m in o.methods() {
            let args: Vec<_> = m.arguments().iter().map(|a| (a.name(), *a)).collect();
            let mut names = vec!["self: handle".to_string()];
            names.extend(arg_names(&args));
            let s = signature(&format!("{}.{}", o.name(), m.name()), &names, m.return_type(), m.is_async(), m.throws_name());
            map.insert(m.ffi_func().name().to_string(), with_doc(s, m.docstring()));
        }
        map.insert(
            o.ffi_object_clone().name().to_string(),
            format!("Sync: a new reference to the {} behind handle (the same object).", o.name()),
        );
        map.insert(
            o.ffi_object_free().name().to_string(),
            format!("Sync: releases one reference to a {}; the last one drops it.", o.name()),
        );
        if o.has_callback_interface() {
            map.insert(
                o.ffi_init_callback().name().to_string(),
                format!("Keeps (does not copy) the binding's vtable for foreign {} objects (odd handles).", o.name()),
            );
        }
    }
    for cbi in ci.callback_interface_definitions() {
        map.insert(
            cbi.ffi_init_callback().name().to_string(),
            format!("Keeps (does not copy) the binding's vtable of callback interface {}.", cbi.name()),
        );
    }
    for (name, _) in ci.iter_checksums() {
        map.insert(name.clone(), "UniFFI's checksum of this item's metadata (bindings compare it at load).".into());
    }
    map.insert(
        ci.ffi_uniffi_contract_version().name().to_string(),
        "The UniFFI contract version this library implements.".into(),
    );
    map
}

fn generic_contract(name: &str) -> &'static str {
    let tail = |s: &str| name.contains(s);
    if tail("_rust_future_poll_") {
        "Polls a future: callback(callback_data, READY or WAKE) exactly once per call, on any thread."
    } else if tail("_rust_future_cancel_") {
        "Cancels a future: the next poll is READY and complete reports status 3."
    } else if tail("_rust_future_complete_") {
        "After READY: moves the result out (once) and sets out_status."
    } else if tail("_rust_future_free_") {
        "Frees a future, last, exactly once, in every outcome."
    } else if tail("_rustbuffer_alloc") {
        "A new buffer of at least size bytes, len 0."
    } else if tail("_rustbuffer_from_bytes") {
        "A new buffer holding a copy of bytes."
    } else if tail("_rustbuffer_free") {
        "Frees a buffer this library allocated."
    } else if tail("_rustbuffer_reserve") {
        "The buffer grown to hold at least additional more bytes (buf is consumed)."
    } else {
        "Scaffolding function."
    }
}

fn prototype(f: &FfiFunction) -> String {
    let ret = f.return_type().map(c_type).unwrap_or_else(|| "void".into());
    let args = f.arguments();
    let params = param_list(&args, f.has_rust_call_status_arg());
    // An async export returns the future handle.
    let ret = if f.is_async() { "uint64_t".to_string() } else { ret };
    format!("ASYNCABI_EXPORT {ret} {}({params});", f.name())
}

fn guard(ns: &str) -> String {
    format!("ASYNCABI_SCAFFOLDING_{}_H", ns.to_uppercase())
}

/// `<ns>_scaffolding.h`.
pub fn header(input: &Input) -> Result<String> {
    let ci = &input.ci;
    let ns = ci.namespace();
    let contracts = contracts(input);
    let mut h = String::new();
    let _ = writeln!(
        h,
        "/* {ns}_scaffolding.h: every scaffolding symbol of namespace `{ns}`, as UniFFI {} defines them.\n \
         *\n \
         * Generated by asyncabi-scaffold from {} (crate name `{}`, contract version {}): do not edit;\n \
         * edit the UDL file. A C producer includes this header in the files that define these\n \
         * symbols, so that the compiler rejects a definition that drifts from the UDL.\n \
         */",
        crate::UNIFFI_VERSION,
        input.udl_name,
        ci.crate_name(),
        ci.uniffi_contract_version()
    );
    let g = guard(ns);
    let _ = writeln!(h, "#ifndef {g}\n#define {g}\n");
    h.push_str("#include <stddef.h>\n#include <stdint.h>\n\n#include \"asyncabi/abi.h\"\n#include \"asyncabi/annotations.h\"\n\n");
    h.push_str("#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    h.push_str("#define ASYNCABI_SCAFFOLD_SAME_TYPE_(a, b) __builtin_types_compatible_p(a, b)\n\n");

    let mut functions = Vec::new();
    for def in ci.ffi_definitions() {
        match def {
            FfiDefinition::CallbackFunction(cb) => {
                let ret = cb.return_type().map(c_type).unwrap_or_else(|| "void".into());
                let params = param_list(&cb.arguments(), cb.has_rust_call_status_arg());
                let _ = writeln!(h, "typedef {ret} (*Uniffi{})({params});", cb.name());
            }
            FfiDefinition::Struct(s) => {
                let cname = format!("Uniffi{}", s.name());
                if ABI_H_STRUCTS.contains(&cname.as_str()) {
                    // Defined by asyncabi/abi.h: check it, field by field, in order.
                    let mut prev: Option<String> = None;
                    for f in s.fields() {
                        let _ = writeln!(
                            h,
                            "_Static_assert(ASYNCABI_SCAFFOLD_SAME_TYPE_(__typeof__(((const {cname} *)0)->{}), {}), \"{cname}.{}: type differs from UniFFI's\");",
                            f.name(),
                            c_type(&f.type_()),
                            f.name()
                        );
                        match &prev {
                            None => {
                                let _ = writeln!(h, "_Static_assert(offsetof({cname}, {}) == 0, \"{cname}: {} is not the first field\");", f.name(), f.name());
                            }
                            Some(p) => {
                                let _ = writeln!(h, "_Static_assert(offsetof({cname}, {p}) < offsetof({cname}, {}), \"{cname}: {} is not after {p}\");", f.name(), f.name());
                            }
                        }
                        prev = Some(f.name().to_string());
                    }
                } else {
                    let vtable = s.name().starts_with("VTableCallbackInterface");
                    let _ = writeln!(h, "typedef struct {}{cname} {{", if vtable { "AA_VTABLE " } else { "" });
                    for f in s.fields() {
                        let _ = writeln!(h, "    {};", declarator(&f.type_(), f.name()));
                    }
                    let _ = writeln!(h, "}} {cname};");
                }
            }
            FfiDefinition::Function(f) => functions.push(f),
        }
    }
    h.push('\n');
    for f in &functions {
        let contract = contracts
            .get(f.name())
            .cloned()
            .unwrap_or_else(|| generic_contract(f.name()).to_string());
        let _ = writeln!(h, "/* {} */\n{}", contract.replace("*/", "* /"), prototype(f));
    }
    h.push_str("\n#ifdef __cplusplus\n}\n#endif\n\n");
    let _ = writeln!(h, "#endif /* {g} */");
    Ok(h)
}

/// `<ns>_checksums.c`: UniFFI's checksum of every item, and a compile-time check that the
/// runtime reports the contract version these bindings were generated for.
pub fn checksums_c(input: &Input, header_name: &str) -> String {
    let ci = &input.ci;
    let mut c = String::new();
    let _ = writeln!(
        c,
        "/* {ns}_checksums.c: UniFFI {}'s checksums of {} (crate name `{}`).\n \
         * Generated by asyncabi-scaffold: do not edit; edit the UDL file. */\n\
         #include \"{header_name}\"\n",
        crate::UNIFFI_VERSION,
        input.udl_name,
        ci.crate_name(),
        ns = ci.namespace()
    );
    let _ = writeln!(
        c,
        "/* ffi_{ns}_uniffi_contract_version() comes from the runtime (asyncabi/ffi.h). */\n\
         _Static_assert(ASYNCABI_UNIFFI_CONTRACT_VERSION == {v}, \"the runtime implements contract version \" \
         \"ASYNCABI_UNIFFI_CONTRACT_VERSION, UniFFI {} bindings expect {v}\");\n",
        crate::UNIFFI_VERSION,
        ns = ci.namespace(),
        v = ci.uniffi_contract_version()
    );
    for (name, value) in ci.iter_checksums() {
        let _ = writeln!(c, "uint16_t {name}(void)\n{{\n    return {value};\n}}\n");
    }
    c
}
