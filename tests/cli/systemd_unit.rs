//! The systemd unit the Debian package ships for `serve` (contrib/systemd) is one systemd
//! accepts, and keeps the hardening an admin expects of a service that holds keys.

use std::path::Path;
use std::process::Command;

use crate::common::{BIN, tool_available};

const UNIT: &str = "contrib/systemd/seenty-keys.service";

fn unit() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(UNIT);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `[Service]` lines of the unit, comments and blank lines left out.
fn service_lines(unit: &str) -> Vec<&str> {
    unit.lines()
        .map(str::trim)
        .skip_while(|line| *line != "[Service]")
        .skip(1)
        .take_while(|line| !line.starts_with('['))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

#[test]
fn the_unit_keeps_its_hardening() {
    let unit = unit();
    let lines = service_lines(&unit);
    let required = [
        "ExecStart=/usr/bin/seenty-keys serve --db ${SEENTY_KEYS_DB} --listen 127.0.0.1:8787",
        "EnvironmentFile=-/etc/default/seenty-keys",
        "DynamicUser=yes",
        "StateDirectory=seenty-keys",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "MemoryDenyWriteExecute=yes",
        "SystemCallFilter=@system-service",
        "LimitCORE=0",
        "UMask=0077",
    ];
    let missing: Vec<_> = required
        .iter()
        .filter(|want| !lines.contains(want))
        .collect();
    assert!(missing.is_empty(), "{UNIT} lacks {missing:?}");
    // A later line would widen what an earlier one narrowed.
    for key in [
        "CapabilityBoundingSet=",
        "RestrictAddressFamilies=",
        "ReadWritePaths=",
    ] {
        let count = lines.iter().filter(|line| line.starts_with(key)).count();
        assert!(count <= 1, "{UNIT} sets {key} {count} times");
    }
}

#[test]
fn systemd_analyze_accepts_the_unit() {
    if !tool_available("systemd-analyze") {
        return;
    }
    // The unit names the installed binary; here it is the one just built (systemd checks
    // that the command exists), under the unit's own name.
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("seenty-keys.service");
    std::fs::write(&copy, unit().replace("/usr/bin/seenty-keys", BIN)).expect("write unit");
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&copy)
        .output()
        .expect("run systemd-analyze");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "systemd-analyze verify failed:\n{stderr}"
    );
    assert!(
        !stderr.contains("seenty-keys.service"),
        "systemd-analyze verify warns about the unit:\n{stderr}"
    );
}
