//! A real terminal for tests: tmux runs the binary in a detached session on a server of
//! its own, `send-keys` types, `capture-pane` reads the screen.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(5);

/// Printed by the shell around the command with its exit status. tmux's own
/// `#{pane_dead_status}` sometimes never arrives (the child is left a zombie).
pub const EXIT_MARK: &str = "[exit status ";

/// A tmux server of our own (its socket in the test's temp dir) with one pane running a
/// command. Dropping it kills the server, also when the test failed.
pub struct Terminal {
    socket: PathBuf,
}

fn path(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

impl Terminal {
    /// `argv` in a 120×30 terminal, without colours.
    pub fn start(dir: &Path, argv: &[String]) -> Self {
        Self::start_sized(dir, argv, (120, 30), &[])
    }

    /// `argv` in a terminal of `(columns, lines)`, with `env` set in it.
    pub fn start_sized(
        dir: &Path,
        argv: &[String],
        (columns, lines): (u16, u16),
        env: &[(&str, &str)],
    ) -> Self {
        let conf = dir.join("tmux.conf");
        // No status line: the pane is the whole terminal, so the program sees the size
        // it was started at and no line is pushed off the top by a later resize.
        std::fs::write(&conf, "set -g remain-on-exit on\nset -g status off\n").unwrap();
        // A socket per terminal: a server being killed is never asked to start another.
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let terminal = Self {
            socket: dir.join(format!("tmux-{n}.sock")),
        };
        let mut cmd = terminal.tmux(&["-f", &path(&conf), "new-session", "-d"]);
        cmd.args(["-x", &columns.to_string(), "-y", &lines.to_string()])
            .args(["-e", "NO_COLOR=1"]);
        for (name, value) in env {
            cmd.args(["-e", &format!("{name}={value}")]);
        }
        let started = cmd
            .args(["--", "sh", "-c"])
            // The shell stays: a pane whose process ends at once sometimes loses what it
            // printed.
            .arg(format!("\"$@\"; echo \"{EXIT_MARK}$?]\"; exec sleep 3600"))
            .arg("sh")
            .args(argv)
            .env_remove("TMUX")
            .env_remove("SEENTY_ORG")
            .env_remove("SEENTY_TOKEN")
            .status()
            .unwrap();
        assert!(started.success(), "tmux new-session failed");
        terminal
    }

    fn tmux(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.arg("-S").arg(&self.socket).args(args);
        cmd
    }

    fn query(&self, args: &[&str]) -> String {
        let out = self.tmux(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen, and the lines scrolled off it before.
    pub fn screen(&self) -> String {
        self.query(&["capture-pane", "-p", "-S", "-"])
    }

    /// Polls the screen until it shows `text`; the screen goes in the panic message.
    pub fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "the screen never showed {text:?}:\n{screen}\npanes: {}",
                self.query(&[
                    "list-panes",
                    "-a",
                    "-F",
                    "#{pane_dead} #{pane_pid} #{pane_current_command} #{pane_width}x#{pane_height}"
                ])
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `send-keys`: key names such as `y` or `Enter`, or literal text with `-l`.
    pub fn send(&self, keys: &[&str]) {
        let status = self.tmux(&["send-keys"]).args(keys).status().unwrap();
        assert!(status.success(), "send-keys {keys:?} failed");
    }

    /// Waits for the command to end; its exit status and last screen. The status comes
    /// from the shell that ran it (see [`Terminal::start_sized`]).
    pub fn exit(&self) -> (i32, String) {
        let screen = self.wait_for(EXIT_MARK);
        let status = screen
            .rsplit(EXIT_MARK)
            .next()
            .and_then(|rest| rest.split(']').next())
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no exit status on the screen:\n{screen}"));
        (status, screen)
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]).output();
    }
}
