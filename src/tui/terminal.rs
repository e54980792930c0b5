//! The terminal: one owner of it (a guard that restores it on drop, a panic hook that
//! restores it before the message), suspend (ctrl-z), the stop signals (shared with
//! `tagdesk sim`), and turning terminal events into messages.

use std::io::{self, Write};

use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, Event,
};
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::crossterm::{Command, execute};

use super::app::Message;

/// Mouse reporting as the console wants it: presses, releases and the wheel (mode 1000) in
/// SGR coordinates (1006), and no motion reporting — crossterm's `EnableMouseCapture` also
/// asks for every motion (1003), which would wake the loop each time the pointer moves.
/// [`restore_terminal`] turns every mouse mode off (`DisableMouseCapture`).
#[derive(Debug, Clone, Copy)]
pub struct EnableClicks;

impl Command for EnableClicks {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        f.write_str("\x1b[?1000h\x1b[?1006h")
    }

    #[cfg(windows)]
    fn execute_winapi(&self) -> io::Result<()> {
        ratatui::crossterm::event::EnableMouseCapture.execute_winapi()
    }

    #[cfg(windows)]
    fn is_ansi_code_supported(&self) -> bool {
        false
    }
}

/// Puts the terminal back as the shell expects it: cooked mode, main screen, no
/// bracketed paste or mouse reporting (every mouse mode, whether it was on or not), cursor
/// visible. Safe to call more than once.
pub fn restore_terminal() {
    let _ = ratatui::crossterm::terminal::disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        Show
    );
    let _ = io::stdout().flush();
}

/// Restores the terminal before the previous panic hook prints, so the panic message lands
/// on a usable screen. Installed once per process.
pub(super) fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
    });
}

/// Owns the terminal while the console runs: restores it exactly once on every way out
/// (normal quit, error, unwinding panic) through `Drop`, and through the panic hook too.
pub struct TerminalGuard {
    /// Never dropped: ratatui's `Terminal` prints to stderr from its `Drop` when it cannot
    /// show the cursor, which panics — and aborts — when the terminal is gone (a hang-up).
    /// [`restore_terminal`] does everything that drop would, without printing.
    terminal: std::mem::ManuallyDrop<ratatui::DefaultTerminal>,
    /// Mouse reporting is on (taken again after a suspend).
    mouse: bool,
}

/// Turns on what the console uses: the alternate screen, bracketed paste, and the mouse
/// when it is wanted.
fn take_modes(mouse: bool) -> io::Result<()> {
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    if mouse {
        execute!(io::stdout(), EnableClicks)?;
    }
    Ok(())
}

impl TerminalGuard {
    /// Takes the terminal; `mouse`: with mouse reporting (which stops the terminal's own
    /// text selection, so it can be turned off).
    pub fn enter(mouse: bool) -> io::Result<Self> {
        install_panic_hook();
        ratatui::crossterm::terminal::enable_raw_mode()?;
        if let Err(e) = take_modes(mouse) {
            restore_terminal();
            return Err(e);
        }
        let terminal =
            ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))
                .inspect_err(|_| restore_terminal())?;
        Ok(Self {
            terminal: std::mem::ManuallyDrop::new(terminal),
            mouse,
        })
    }

    pub fn terminal(&mut self) -> &mut ratatui::DefaultTerminal {
        &mut self.terminal
    }

    /// Ctrl-Z: give the terminal back, stop the process (SIGTSTP, as a shell expects), and
    /// take the terminal again when the shell continues it.
    #[cfg(unix)]
    pub fn suspend(&mut self) -> io::Result<()> {
        restore_terminal();
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGTSTP);
        // Here again after SIGCONT.
        ratatui::crossterm::terminal::enable_raw_mode()?;
        take_modes(self.mouse)?;
        self.terminal.clear()
    }

    #[cfg(not(unix))]
    pub fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

pub(super) fn to_message(event: Event) -> Option<Message> {
    match event {
        Event::Key(key) => Some(Message::Key(key)),
        Event::Paste(text) => Some(Message::Paste(text)),
        Event::Resize(w, h) => Some(Message::Resize(w, h)),
        _ => None,
    }
}

/// Installs the Ctrl-C, SIGTERM and SIGHUP handlers now and returns a future that
/// resolves when one of them fires.
pub fn stop_signals() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate()).ok();
        let hup = signal(SignalKind::hangup()).ok();
        let int = signal(SignalKind::interrupt()).ok();
        let quit = signal(SignalKind::quit()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = wait(term) => {}
                _ = wait(hup) => {}
                _ = wait(int) => {}
                _ = wait(quit) => {}
            }
        }
    }

    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Writes to stderr without ever panicking (the terminal may be gone).
pub(super) fn say(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}

/// Text for the clipboard as an OSC 52 sequence: the terminal (also over SSH, and inside
/// tmux with `set-clipboard on`) puts it on the system clipboard. Nothing else is needed
/// on the machine tagdesk runs on.
pub fn osc52(text: &str) -> String {
    use base64::Engine as _;
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
    )
}

/// Writes the OSC 52 sequence for `text` to the terminal.
pub fn copy_to_clipboard(text: &str) -> io::Result<()> {
    let mut out = io::stdout();
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod clipboard_tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_in_base64() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
        let text =
            "curl -sS -X POST 'http://h/x' -H \"Authorization: token $TAGDESK_HIVE_API_KEY\"";
        let seq = osc52(text);
        let payload = seq
            .strip_prefix("\x1b]52;c;")
            .and_then(|s| s.strip_suffix('\x07'))
            .unwrap();
        use base64::Engine as _;
        let back = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .unwrap();
        assert_eq!(String::from_utf8(back).unwrap(), text);
        assert!(
            !seq[1..].contains('\x1b'),
            "one sequence, nothing else for the terminal"
        );
    }
}
