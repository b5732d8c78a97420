//! `passa-wasm-shake [--docs keep|summary|strip] IN.wasm OUT.wasm`: shakes the contract spec
//! of IN (see the library docs), unexports the toolchain's globals (`_`, `__data_end`,
//! `__heap_base`) and writes OUT. `--docs summary` (the default) keeps the first
//! line of each function's, type's and event's doc.

use std::process::ExitCode;

use passa_wasm_shake::Docs;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut docs = Docs::Summary;
    if args.first().map(String::as_str) == Some("--docs") && args.len() > 1 {
        docs = match args[1].as_str() {
            "keep" => Docs::Keep,
            "summary" => Docs::Summary,
            "strip" => Docs::Strip,
            other => {
                eprintln!("passa-wasm-shake: unknown --docs value {other}");
                return ExitCode::from(2);
            }
        };
        args.drain(..2);
    }
    let [input, output] = args.as_slice() else {
        eprintln!("usage: passa-wasm-shake [--docs keep|summary|strip] IN.wasm OUT.wasm");
        return ExitCode::from(2);
    };
    let run = || -> Result<(passa_wasm_shake::Report, usize), Box<dyn std::error::Error>> {
        let wasm = std::fs::read(input)?;
        let (out, report) = passa_wasm_shake::shake(&wasm, docs)?;
        let (out, dropped) = passa_wasm_shake::drop_link_exports(&out)?;
        std::fs::write(output, out)?;
        Ok((report, dropped))
    };
    match run() {
        Ok((r, dropped)) => {
            println!(
                "{input}: spec shaking v{}: kept {} of {} spec entries (docs: {docs:?}); \
                 {dropped} link exports dropped",
                r.version, r.after, r.before
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("passa-wasm-shake: {input}: {e}");
            ExitCode::FAILURE
        }
    }
}
