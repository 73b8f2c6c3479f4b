//! `scan` reads in bounded memory: a sparse 1 GiB file named explicitly, and a 1 GiB
//! single line on standard input, each with a key at its very end, are searched with a
//! peak resident set under 64 MiB (read by `/usr/bin/time -v` from the kernel's
//! accounting of the child), and the key is found at the right place.

use std::io::{Seek, SeekFrom, Write};
use std::process::Command;

use crate::common::repo::new_key;

const GIB: u64 = 1 << 30;
const LIMIT_KB: u64 = 64 * 1024;

/// Runs `script` under `sh`, where `$SCAN` is `/usr/bin/time -v seenty-keys --db <none>
/// scan`; returns stdout and the child's peak RSS in KiB.
fn measured(script: &str, dir: &std::path::Path) -> (String, u64) {
    let scan = format!(
        "/usr/bin/time -v {} --db {} scan",
        crate::common::BIN,
        dir.join("none.db").display()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("SCAN", scan)
        .current_dir(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rss = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in: {stderr}"));
    (String::from_utf8_lossy(&out.stdout).into_owned(), rss)
}

#[test]
fn a_sparse_gigabyte_file_is_read_in_bounded_memory() {
    if !crate::common::tool_available("time") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = new_key();
    let path = dir.path().join("disk.img");
    let mut file = std::fs::File::create(&path).unwrap();
    file.set_len(GIB).unwrap();
    file.seek(SeekFrom::Start(GIB - 100)).unwrap();
    file.write_all(format!("\n  {key}\n").as_bytes()).unwrap();
    drop(file);
    let (stdout, rss) = measured("$SCAN disk.img", dir.path());
    assert_eq!(
        stdout,
        format!(
            "disk.img:2:3  sk_live_…{}  checksum ok  Unverified\n",
            &key[32..]
        )
    );
    assert!(rss < LIMIT_KB, "peak RSS {rss} KiB");
}

#[test]
fn a_gigabyte_single_line_on_stdin_is_read_in_bounded_memory() {
    if !crate::common::tool_available("time") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = new_key();
    let script =
        format!("{{ head -c {GIB} /dev/zero | tr '\\0' 'x'; printf ' %s' {key}; }} | $SCAN -");
    let (stdout, rss) = measured(&script, dir.path());
    assert_eq!(
        stdout,
        format!(
            "<stdin>:1:{}  sk_live_…{}  checksum ok  Unverified\n",
            GIB + 2,
            &key[32..]
        )
    );
    assert!(rss < LIMIT_KB, "peak RSS {rss} KiB");
}
