//! The shipped man pages as readers get them: mandoc's linter finds nothing to warn about
//! in any page, and man(1) renders them with the sections the main page promises.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;

fn man_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("man")
}

fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(man_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "1"))
        .collect();
    pages.sort();
    assert!(pages.len() > 5, "man/ has only {pages:?}");
    pages
}

#[test]
fn mandoc_lint_finds_nothing() {
    if !common::tool_available("mandoc") {
        return;
    }
    let out = Command::new("mandoc")
        .args(["-T", "lint", "-W", "warning"])
        .args(pages())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && report.trim().is_empty(),
        "mandoc -T lint -W warning man/*.1:\n{report}"
    );
}

/// `man -l PAGE`, as plain text 80 columns wide.
fn render(page: &Path) -> String {
    let out = Command::new("man")
        .arg("-l")
        .arg(page)
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("LANG", "C.UTF-8")
        .env_remove("MAN_KEEP_FORMATTING")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "man -l {}: {stderr}", page.display());
    assert!(
        stderr.trim().is_empty(),
        "man -l {} warned: {stderr}",
        page.display()
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn main_page_renders_with_its_sections() {
    if !common::tool_available("man") {
        return;
    }
    let text = render(&man_dir().join("seenty-keys.1"));
    for expected in [
        "SEENTY-KEYS(1)",
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "SUBCOMMANDS",
        "seenty-keys-generate(1)",
        "EXIT STATUS",
        "ENVIRONMENT",
        "SEENTY_KEYS_DB",
        "SEENTY_ORG",
        "SEENTY_TOKEN",
        "NO_COLOR",
        "FILES",
        "$XDG_DATA_HOME/seenty-keys/keys.db",
        "SECURITY",
        "SHA-256",
        "EXAMPLES",
        "seenty-keys generate --name",
    ] {
        assert!(
            text.contains(expected),
            "no {expected:?} in man seenty-keys:\n{text}"
        );
    }
}

#[test]
fn every_page_renders() {
    if !common::tool_available("man") {
        return;
    }
    for page in pages() {
        let text = render(&page);
        let name = page.file_stem().unwrap().to_str().unwrap().to_uppercase();
        assert!(
            text.contains(&format!("{name}(1)")),
            "{}:\n{text}",
            page.display()
        );
        assert!(text.contains("SYNOPSIS"), "{}:\n{text}", page.display());
    }
}

#[test]
fn nested_commands_have_pages() {
    let text = std::fs::read_to_string(man_dir().join("seenty-keys-org-create.1")).unwrap();
    assert!(text.contains("seenty\\-keys org create"), "{text}");
    assert!(
        text.contains("seenty\\-keys\\-org(1)"),
        "no SEE ALSO: {text}"
    );
}
