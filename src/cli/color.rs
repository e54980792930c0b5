//! Whether to use colour: the global `--color auto|always|never`, then `NO_COLOR` (set and
//! not empty: never), then `CLICOLOR_FORCE` (set, not empty and not `0`: always, even when
//! not writing to a terminal), else auto (a terminal gets colour). The CLI prints no colour
//! of its own: the choice governs clap's help and error messages, and the console (never:
//! the monochrome theme; always and auto: the configured theme).

use std::ffi::OsString;

/// The values of `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum When {
    /// Colour when writing to a terminal.
    Auto,
    /// Colour, even when not writing to a terminal.
    Always,
    /// No colour (the console draws in its monochrome theme).
    Never,
}

/// The flag's name, as `--help` shows it.
const FLAG: &str = "--color";

/// The choice: the flag, else `NO_COLOR`, else `CLICOLOR_FORCE`, else auto.
pub fn resolve(flag: Option<When>, env: &dyn Fn(&str) -> Option<String>) -> When {
    if let Some(when) = flag {
        return when;
    }
    if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return When::Never;
    }
    if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
        return When::Always;
    }
    When::Auto
}

/// `--color`'s value on a command line, before clap reads it (clap's own help and errors
/// need the choice before the line is parsed): the last `--color WHEN` or `--color=WHEN`
/// before a `--`. A value that is not one of the three is left for clap to refuse.
pub fn prescan(args: impl IntoIterator<Item = OsString>) -> Option<When> {
    use clap::ValueEnum;
    let mut found = None;
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        let arg = arg.to_string_lossy().into_owned();
        if arg == "--" {
            break;
        }
        let value = match arg.strip_prefix(FLAG) {
            Some("") => args.next().map(|v| v.to_string_lossy().into_owned()),
            Some(rest) => rest.strip_prefix('=').map(str::to_string),
            None => continue,
        };
        if let Some(when) = value.and_then(|v| When::from_str(&v, false).ok()) {
            found = Some(when);
        }
    }
    found
}

impl When {
    /// clap's colouring of its help and errors for this choice. Auto is clap's own terminal
    /// detection, except with `CLICOLOR_FORCE=0`, which clap would take as forcing colour:
    /// then colour only when standard output and standard error are both `terminals`.
    pub fn clap(
        self,
        env: &dyn Fn(&str) -> Option<String>,
        terminals: impl FnOnce() -> bool,
    ) -> clap::ColorChoice {
        match self {
            When::Auto if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty()) => {
                if terminals() {
                    clap::ColorChoice::Always
                } else {
                    clap::ColorChoice::Never
                }
            }
            When::Auto => clap::ColorChoice::Auto,
            When::Always => clap::ColorChoice::Always,
            When::Never => clap::ColorChoice::Never,
        }
    }
}

/// Whether standard output and standard error are both terminals.
pub fn terminals() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)], flag: Option<When>) -> When {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        resolve(flag, &env)
    }

    #[test]
    fn the_flag_then_no_color_then_clicolor_force_then_auto() {
        use When::*;
        assert_eq!(with(&[], None), Auto);
        assert_eq!(with(&[("NO_COLOR", "1")], None), Never);
        assert_eq!(
            with(&[("NO_COLOR", "0")], None),
            Never,
            "any non-empty value"
        );
        assert_eq!(with(&[("NO_COLOR", "")], None), Auto, "empty is unset");
        assert_eq!(with(&[("CLICOLOR_FORCE", "1")], None), Always);
        assert_eq!(with(&[("CLICOLOR_FORCE", "0")], None), Auto);
        assert_eq!(with(&[("CLICOLOR_FORCE", "")], None), Auto);
        let both = [("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")];
        assert_eq!(with(&both, None), Never, "NO_COLOR before CLICOLOR_FORCE");
        for flag in [Auto, Always, Never] {
            assert_eq!(with(&both, Some(flag)), flag, "the flag before both");
        }
    }

    #[test]
    fn clap_colours_as_the_choice_says() {
        use clap::ColorChoice;
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let none = env(&[]);
        assert_eq!(When::Always.clap(&none, || false), ColorChoice::Always);
        assert_eq!(When::Never.clap(&none, || true), ColorChoice::Never);
        assert_eq!(When::Auto.clap(&none, || false), ColorChoice::Auto);
        // CLICOLOR_FORCE=0 is auto, which clap alone would read as forced.
        let zero = env(&[("CLICOLOR_FORCE", "0")]);
        assert_eq!(When::Auto.clap(&zero, || false), ColorChoice::Never);
        assert_eq!(When::Auto.clap(&zero, || true), ColorChoice::Always);
        assert_eq!(When::Never.clap(&zero, || true), ColorChoice::Never);
    }

    #[test]
    fn the_flag_is_found_before_clap_reads_the_line() {
        let scan = |words: &[&str]| prescan(words.iter().map(OsString::from));
        assert_eq!(scan(&["tagdesk", "--color", "never"]), Some(When::Never));
        assert_eq!(
            scan(&["tagdesk", "hive", "add", "--color=always", "p", "t"]),
            Some(When::Always)
        );
        assert_eq!(
            scan(&["tagdesk", "--color", "never", "log", "--color", "always"]),
            Some(When::Always),
            "the last one"
        );
        assert_eq!(scan(&["tagdesk", "--color", "sometimes"]), None);
        assert_eq!(scan(&["tagdesk", "--color"]), None);
        assert_eq!(scan(&["tagdesk", "--", "--color", "never"]), None);
        assert_eq!(scan(&["--color", "never"]), None, "the program's name");
    }
}
