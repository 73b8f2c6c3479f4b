//! The binary as a `std::process::Command`, to spawn, kill and bound processes (which
//! `assert_cmd::Command` cannot), and checks on what a run let reach a terminal.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::TestEnv;

/// The binary against `env`'s store with the environment of `TestEnv::command`, stdin
/// empty, stdout and stderr captured; not started.
pub fn command(env: &TestEnv, args: &[&str]) -> Command {
    let mut cmd = env.process();
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `cmd`, killing it (and failing) if it runs longer than `limit`: a hang is a bug.
/// This bounds a wait; it asserts nothing about speed.
pub fn bounded(mut cmd: Command, limit: Duration) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id().to_string();
    let (done, finished) = mpsc::channel();
    // Output is read while the process runs, so a full pipe cannot pass for a hang.
    let waiter = thread::spawn(move || {
        let out = child.wait_with_output();
        let _ = done.send(());
        out
    });
    if finished.recv_timeout(limit).is_err() {
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
        panic!("{cmd:?} still running after {limit:?}: it hangs");
    }
    waiter.join().unwrap().expect("wait")
}

/// Whether some output would reach a terminal as something other than text: ESC, any
/// other C0 control but newline, DEL, a C1 control (U+0080-U+009F), a bidi embedding,
/// override or isolate, or bytes that are not UTF-8 (a raw 0x9b is CSI to an 8-bit
/// terminal).
pub fn active_char(bytes: &[u8]) -> Option<String> {
    if let Some(b) = bytes
        .iter()
        .find(|&&b| (b < 0x20 && b != b'\n') || b == 0x7f)
    {
        return Some(format!("byte {b:#04x}"));
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some("bytes that are not UTF-8".to_owned());
    };
    text.chars()
        .find(|&c| matches!(c, '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .map(|c| format!("{c:?}"))
}

pub fn assert_inert(out: &Output, what: &str) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if let Some(found) = active_char(bytes) {
            panic!("{what}: {stream} carries {found}: {:?}", text(bytes));
        }
    }
}

pub fn assert_no_panic(out: &Output, what: &str) {
    let code = out.status.code();
    assert!(matches!(code, Some(0..=3)), "{what}: exit {code:?}");
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{what}: {stderr}"
    );
}

/// Runs with `input` on stdin, which the binary may stop reading early.
pub fn with_stdin(mut cmd: Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input); // a broken pipe is the binary saying "enough"
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}
