// Shared by the producers' build.rs files (include!d): generates UniFFI's Rust scaffolding for
// one UDL file and repairs the one thing UniFFI 0.32.2 gets wrong for it.
//
// UniFFI 0.32.2's UDL scaffolding template for a `callback interface` (CallbackInterfaceTemplate.rs
// in uniffi_bindgen) writes every method as `fn`, dropping `[Async]`, while its bindings
// generators (and the C producer) treat those methods as async: left alone, the Rust library
// would expect a vtable of sync methods (out_return + RustCallStatus) where every binding hands
// it a vtable of async ones (complete callback + dropped-callback struct). `repair_async_callbacks`
// puts `async` back on exactly the methods the UDL marks `[Async]`, so that UniFFI's own
// `export_for_udl(callback_interface)` macro generates the async vtable. The build fails if a
// method it must repair is not found where UniFFI's template puts it.

#[allow(dead_code)]
fn generate(udl_relative: &str, crate_name: &str) {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let udl = format!("{manifest}/{udl_relative}");
    println!("cargo:rerun-if-changed={udl}");
    println!("cargo:rerun-if-changed={manifest}/../build_scaffolding.rs");
    // The crate name is UniFFI's module path: it feeds the checksums, so it is the namespace,
    // as the C library's scaffolding (asyncabi-scaffold) uses unless the uniffi.toml beside the
    // UDL file sets `[asyncabi] crate_name`; the crate's [lib] name (the symbols' prefix) would
    // then have to change too, so a different name stops the build here.
    check_crate_name(&udl, crate_name);
    uniffi::generate_scaffolding_for_crate(udl.as_str(), crate_name)
        .unwrap_or_else(|e| panic!("generating the scaffolding of {udl}: {e:#}"));
    let stem = std::path::Path::new(&udl).file_stem().unwrap().to_string_lossy().into_owned();
    let out = format!("{}/{stem}.uniffi.rs", std::env::var("OUT_DIR").expect("OUT_DIR"));
    let text = std::fs::read_to_string(&out).expect("reading the generated scaffolding");
    let udl_text = std::fs::read_to_string(&udl).expect("reading the UDL file");
    let repaired = repair_async_callbacks(&text, &udl_text);
    std::fs::write(&out, repaired).expect("writing the repaired scaffolding");
}

/// Fails if the uniffi.toml beside the UDL file gives asyncabi-scaffold another crate name.
fn check_crate_name(udl: &str, crate_name: &str) {
    let toml = std::path::Path::new(udl).with_file_name("uniffi.toml");
    println!("cargo:rerun-if-changed={}", toml.display());
    let Ok(text) = std::fs::read_to_string(&toml) else { return };
    let mut in_asyncabi = false;
    for line in text.lines().map(|l| l.split('#').next().unwrap_or("").trim()) {
        if line.starts_with('[') {
            in_asyncabi = line == "[asyncabi]";
        } else if let Some(value) = line.strip_prefix("crate_name").map(str::trim) {
            let value = value.trim_start_matches('=').trim().trim_matches('"');
            if in_asyncabi && value != crate_name {
                panic!("{}: [asyncabi] crate_name = {value:?}, but the Rust producer's crate is {crate_name:?}: change both", toml.display());
            }
        }
    }
}

/// (interface, method) of every `[Async]` method of a `callback interface` in the UDL text.
fn async_callback_methods(udl: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    let mut attrs = String::new();
    for raw in udl.lines() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if let Some(rest) = line.strip_prefix("callback interface ") {
            current = Some(rest.trim_end_matches('{').trim().to_string());
            continue;
        }
        let Some(iface) = current.clone() else { continue };
        if line.starts_with("};") || line == "}" {
            current = None;
            continue;
        }
        if line.starts_with("///") || line.is_empty() {
            continue;
        }
        // A method: `[Attrs] ReturnType name(args);`, attributes possibly on their own line.
        let (line_attrs, body) = match line.strip_prefix('[') {
            Some(rest) => match rest.split_once(']') {
                Some((a, b)) => (a.to_string(), b.trim().to_string()),
                None => (rest.to_string(), String::new()),
            },
            None => (String::new(), line.to_string()),
        };
        attrs.push_str(&line_attrs);
        if let Some((before, _)) = body.split_once('(') {
            let name = before.split_whitespace().last().unwrap_or("").to_string();
            if attrs.split(',').any(|a| a.trim() == "Async") {
                found.push((iface, name));
            }
            attrs.clear();
        }
    }
    found
}

fn repair_async_callbacks(scaffolding: &str, udl: &str) -> String {
    let mut text = scaffolding.to_string();
    for (iface, method) in async_callback_methods(udl) {
        let header = format!("#[::uniffi::export_for_udl(callback_interface)]\npub trait r#{iface} {{");
        let start = text
            .find(&header)
            .unwrap_or_else(|| panic!("callback interface {iface}: not where UniFFI's template puts it"));
        let end = start + text[start..].find("\n}\n").expect("end of the callback interface trait");
        let needle = format!("    fn r#{method}(");
        let at = text[start..end]
            .find(&needle)
            .unwrap_or_else(|| panic!("{iface}.{method}: not found as `fn r#{method}(` in the scaffolding"));
        text.insert_str(start + at + 4, "async ");
    }
    text
}
