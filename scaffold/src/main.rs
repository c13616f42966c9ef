//! asyncabi-scaffold: from a UDL file to what a C producer of that interface needs.
//!
//! The UDL file is read by UniFFI's own parser and metadata code (`uniffi_bindgen`'s
//! `ComponentInterface`, pinned to the release the project targets), so every symbol name,
//! every FFI signature and every checksum below is what UniFFI's generated bindings expect.
//! Written into the output folder:
//!
//! - `<ns>_scaffolding.h`: the prototype of every scaffolding symbol of the namespace, the
//!   callback-interface vtable structs and the method callback types (`scaffold/README.md`);
//! - `<ns>_checksums.c`: the checksum functions, returning UniFFI's values;
//! - `interface.json`: the interface as data, for runners (docs/fixture-interface.md);
//! - with `--bindgen-crate DIR`: the folder UniFFI's `uniffi-bindgen generate` needs to work from
//!   a UDL file alone (`Cargo.toml` naming the crate, `src/<ns>.udl`, `uniffi.toml`, and
//!   `uniffi-bindgen.toml` whose `[crate-roots]` points at it; docs/bindings-for-c.md).
//!
//! The crate name that enters the checksums is the namespace unless the `uniffi.toml` beside
//! the UDL file sets `[asyncabi] crate_name`; `uniffi-bindgen --crate` must get the same name.

mod c_header;
mod interface_json;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use uniffi_bindgen::ComponentInterface;

/// The UniFFI release whose code this tool runs (Cargo.lock pins it).
pub const UNIFFI_VERSION: &str = "0.32.2";

const USAGE: &str = "usage: asyncabi-scaffold FILE.udl [--out-dir DIR] [--library NAME] \
                     [--library-path PATH] [--bindgen-crate DIR] [--print crate-name|namespace]";

/// What the command line asked for.
struct Options {
    udl: PathBuf,
    out_dir: PathBuf,
    library: Option<String>,
    library_path: Option<String>,
    bindgen_crate: Option<PathBuf>,
    print: Option<String>,
}

/// The parsed interface plus what the generators need besides it.
pub struct Input {
    pub ci: ComponentInterface,
    pub udl_name: String,
    pub library: String,
    pub library_path: Option<String>,
}

fn parse_args() -> Result<Options> {
    let mut args = std::env::args().skip(1);
    let mut udl = None;
    let mut out_dir = PathBuf::from(".");
    let mut library = None;
    let mut library_path = None;
    let mut print = None;
    let mut bindgen_crate = None;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--out-dir" => out_dir = PathBuf::from(value("--out-dir")?),
            "--library" => library = Some(value("--library")?),
            "--library-path" => library_path = Some(value("--library-path")?),
            "--bindgen-crate" => bindgen_crate = Some(PathBuf::from(value("--bindgen-crate")?)),
            "--print" => {
                let what = value("--print")?;
                if what != "crate-name" && what != "namespace" {
                    bail!("--print takes crate-name or namespace, not {what:?}");
                }
                print = Some(what);
            }
            s if s.starts_with('-') => bail!("unknown option {s} ({USAGE})"),
            s => {
                if udl.replace(PathBuf::from(s)).is_some() {
                    bail!("one UDL file at a time ({USAGE})");
                }
            }
        }
    }
    let udl = udl.with_context(|| format!("no UDL file given ({USAGE})"))?;
    Ok(Options { udl, out_dir, library, library_path, bindgen_crate, print })
}

/// `[asyncabi] crate_name` of the uniffi.toml beside the UDL file, if there is one.
fn crate_name_override(udl: &Path) -> Result<Option<String>> {
    let toml_path = udl.with_file_name("uniffi.toml");
    if !toml_path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&toml_path)
        .with_context(|| format!("cannot read {}", toml_path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| anyhow::anyhow!("{}: {}", toml_path.display(), e.message()))?;
    match table.get("asyncabi").and_then(|t| t.get("crate_name")) {
        None => Ok(None),
        Some(toml::Value::String(name)) if !name.is_empty() => Ok(Some(name.clone())),
        Some(_) => bail!("{}: [asyncabi] crate_name must be a non-empty string", toml_path.display()),
    }
}

/// A syntax error as one line naming where the definition that does not parse starts (UniFFI's
/// own parser prints the whole rest of the file instead).
fn check_syntax(path: &Path, text: &str) -> Result<()> {
    use weedle::Parse;
    let trimmed = text.trim();
    let remaining = match weedle::Definitions::parse(trimmed) {
        Ok((remaining, _)) => remaining,
        Err(_) => bail!("{}: UDL syntax error", path.display()),
    };
    if remaining.is_empty() {
        return Ok(());
    }
    let mut offset = (text.len() - text.trim_start().len()) + (trimmed.len() - remaining.len());
    // The failed definition starts after the comments and blank lines in front of it.
    loop {
        let rest = &text[offset..];
        let line_len = rest.find('\n').map_or(rest.len(), |n| n + 1);
        let line = rest[..line_len].trim();
        let comment = line.starts_with("//") && !line.starts_with("///");
        if line_len == 0 || !(line.is_empty() || comment) || line_len == rest.len() {
            break;
        }
        offset += line_len;
    }
    let line = text[..offset].matches('\n').count() + 1;
    let snippet: String = text[offset..].lines().next().unwrap_or("").chars().take(60).collect();
    bail!(
        "{}:{line}: UDL syntax error in the definition that starts here: `{}`",
        path.display(),
        snippet.trim()
    )
}

fn load(opts: &Options) -> Result<Input> {
    let text = std::fs::read_to_string(&opts.udl)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {}", opts.udl.display(), e))?;
    check_syntax(&opts.udl, &text)?;
    let parse = |crate_name: &str| {
        ComponentInterface::from_webidl(&text, crate_name).map_err(|e| {
            // UniFFI's parse errors span several lines; the first one names the problem.
            let msg = format!("{e:#}");
            let first = msg.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
            anyhow::anyhow!("{}: {}", opts.udl.display(), first)
        })
    };
    // The crate name enters the checksums, not the parse: a first parse finds the namespace.
    let crate_name = match crate_name_override(&opts.udl)? {
        Some(name) => name,
        None => parse("asyncabi_scaffold")?.namespace().to_string(),
    };
    let mut ci = parse(&crate_name)?;
    ci.derive_ffi_funcs()
        .map_err(|e| anyhow::anyhow!("{}: {e:#}", opts.udl.display()))?;
    let udl_name = opts
        .udl
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let library = opts.library.clone().unwrap_or_else(|| format!("uniffi_{}", ci.namespace()));
    Ok(Input { ci, udl_name, library, library_path: opts.library_path.clone() })
}

fn write(path: &Path, text: &str) -> Result<()> {
    // Unchanged outputs keep their time stamps, so the C that includes them is not rebuilt.
    if std::fs::read_to_string(path).map(|old| old == text).unwrap_or(false) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), e))
}

fn run() -> Result<()> {
    let opts = parse_args()?;
    let input = load(&opts)?;
    match opts.print.as_deref() {
        Some("crate-name") => {
            println!("{}", input.ci.crate_name());
            return Ok(());
        }
        Some(_) => {
            println!("{}", input.ci.namespace());
            return Ok(());
        }
        None => {}
    }
    std::fs::create_dir_all(&opts.out_dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {}", opts.out_dir.display(), e))?;
    let ns = input.ci.namespace().to_string();
    let header_name = format!("{ns}_scaffolding.h");
    write(&opts.out_dir.join(&header_name), &c_header::header(&input)?)?;
    write(&opts.out_dir.join(format!("{ns}_checksums.c")), &c_header::checksums_c(&input, &header_name))?;
    let json = interface_json::interface(&input)?;
    write(&opts.out_dir.join("interface.json"), &(serde_json::to_string_pretty(&json)? + "\n"))?;
    if let Some(dir) = &opts.bindgen_crate {
        write_bindgen_crate(&opts.udl, dir, &input)?;
    }
    Ok(())
}

/// The folder `uniffi-bindgen generate DIR/src/<ns>.udl --config DIR/uniffi-bindgen.toml` works
/// from. UniFFI 0.32.2's generators take the crate name (hashed into every checksum) from the
/// Cargo.toml two folders above the UDL file, and find uniffi.toml in the crate root, which
/// without `cargo metadata` only a `[crate-roots]` table names.
fn write_bindgen_crate(udl: &Path, dir: &Path, input: &Input) -> Result<()> {
    let ns = input.ci.namespace();
    let crate_name = input.ci.crate_name();
    let src = dir.join("src");
    std::fs::create_dir_all(&src).map_err(|e| anyhow::anyhow!("cannot create {}: {}", src.display(), e))?;
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("cannot read {}: {}", p.display(), e));
    write(&src.join(format!("{ns}.udl")), &read(udl)?)?;
    let config = udl.with_file_name("uniffi.toml");
    let config_text = if config.exists() { read(&config)? } else { String::new() };
    write(&dir.join("uniffi.toml"), &config_text)?;
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "# Written by asyncabi-scaffold from {}: uniffi-bindgen reads the crate name here.\n\
             [package]\nname = \"{crate_name}\"\nversion = \"0.0.0\"\n\n[lib]\nname = \"{crate_name}\"\n",
            input.udl_name
        ),
    )?;
    let root = std::fs::canonicalize(dir).map_err(|e| anyhow::anyhow!("{}: {}", dir.display(), e))?;
    write(
        &dir.join("uniffi-bindgen.toml"),
        &format!("[crate-roots]\n\"{crate_name}\" = {:?}\n", root.display().to_string()),
    )?;
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("asyncabi-scaffold: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
