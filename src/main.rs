//! The `shroud` binary: parses arguments, runs the command, maps the outcome to an exit code
//! (0 success, 1 findings with `--fail-on-findings`, 2 usage or input error). Every behaviour
//! lives in the library; `cli` only parses arguments and prints.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
