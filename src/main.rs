//! tagdesk's binary: everything it does is in the library (`tagdesk::cli`).
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    tagdesk::cli::main()
}
