//! `uniffi-bindgen-java` 0.5.2 (the third-party Java generator) for a UDL file without a Cargo
//! package behind it:
//!
//!     uniffi-bindgen-java <crate>/src/<ns>.udl --config <crate>/uniffi-bindgen.toml --out-dir DIR
//!
//! The crate name comes from `<crate>/Cargo.toml` (UniFFI reads it beside the UDL file), the
//! crate root (its `uniffi.toml`: `cdylib_name`, `exclude`, `[bindings.java]`) from the config's
//! `[crate-roots]` table. Everything else is the generator's own `generate`, unchanged.

use anyhow::{bail, Context, Result};
use camino::Utf8PathBuf;
use uniffi_bindgen::{BindgenLoader, BindgenPaths, GlobalConfig};
use uniffi_bindgen_java::{generate, GenerateOptions};

const USAGE: &str = "usage: uniffi-bindgen-java UDL --config TOML --out-dir DIR | --version";

fn main() {
    if let Err(err) = run(std::env::args().skip(1).collect()) {
        eprintln!("uniffi-bindgen-java: {}", format!("{err:#}").replace('\n', " | "));
        std::process::exit(1);
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let (mut source, mut config, mut out_dir) = (None, None, None);
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--version" => {
                println!("uniffi-bindgen-java 0.5.2");
                return Ok(());
            }
            "--config" => config = Some(Utf8PathBuf::from(value("--config")?)),
            "--out-dir" => out_dir = Some(Utf8PathBuf::from(value("--out-dir")?)),
            a if a.starts_with('-') => bail!("unknown option {a}; {USAGE}"),
            a if source.is_none() => source = Some(Utf8PathBuf::from(a)),
            a => bail!("unexpected argument {a}; {USAGE}"),
        }
    }
    let (Some(source), Some(config), Some(out_dir)) = (source, config, out_dir) else {
        bail!("{USAGE}");
    };
    if !source.is_file() {
        bail!("{source}: no such UDL file");
    }
    let (global, crate_roots) = GlobalConfig::from_file(&config)
        .with_context(|| format!("cannot read the config {config}"))?;
    let mut paths = BindgenPaths::default();
    match crate_roots {
        Some(layer) => paths.add_layer(layer),
        None => bail!("{config} has no [crate-roots] table"),
    }
    std::fs::create_dir_all(&out_dir).with_context(|| format!("cannot create {out_dir}"))?;
    let loader = BindgenLoader::new(paths, global);
    generate(&loader, &GenerateOptions { source, out_dir, format: false, crate_filter: None })
}
