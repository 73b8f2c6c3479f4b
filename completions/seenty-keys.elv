
use builtin;
use str;

set edit:completion:arg-completer[seenty-keys] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'seenty-keys'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'seenty-keys'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create the store and its first organization'
            cand org 'Manage organizations and their plans'
            cand plans 'Show the plans and their limits on active keys'
            cand generate 'Create a new key and print it once'
            cand list 'List the organization''s keys'
            cand ls 'List the organization''s keys'
            cand show 'Show one key''s properties'
            cand revoke 'Revoke keys, immediately: named ones, or those unused, never used or expiring'
            cand rotate 'Replace a key with a new one of the same name, printed once'
            cand verify 'Check a key: exit 0 when valid, 1 when rejected'
            cand report 'List what needs attention: unused, unexpiring, expiring, unrotated, leaked keys (exit 1 if any)'
            cand scan 'Find sk_live_ keys in files or git and say which are live (exit 1 if one may work)'
            cand log 'Show the audit trail, newest first'
            cand export 'Write the whole store (organizations, keys as hashes, history) as JSON lines'
            cand import 'Load what export wrote, from standard input, into this store'
            cand serve 'Answer API servers and gateways over HTTP: is this key valid right now?'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'seenty-keys;init'= {
            cand --plan 'The first organization''s plan (prompted for at a terminal)'
            cand --name 'The first organization''s display name [default: its slug]'
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'seenty-keys;org'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
            cand create 'Create an organization'
            cand list 'List organizations with their keys in use against each limit'
            cand ls 'List organizations with their keys in use against each limit'
            cand show 'Show one organization [default: the current one]'
            cand set-plan 'Change the current organization''s plan (a downgrade below the active keys asks first)'
            cand policy 'Show the current organization''s key policy, or change it'
            cand release-pending 'Release the places of keys being delivered (a generate or rotate whose process died)'
            cand use 'Make an organization the default for this store'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'seenty-keys;org;create'= {
            cand --plan 'The plan, which caps the active keys'
            cand --name 'A display name [default: the slug]'
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'seenty-keys;org;list'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'seenty-keys;org;ls'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'seenty-keys;org;show'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'seenty-keys;org;set-plan'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'seenty-keys;org;policy'= {
            cand --max-lifetime 'New keys must expire within this long (90d, 12h, 30m), or none for no maximum; generate without --expires then gives exactly this lifetime'
            cand --rotate-every 'The age after which report says a key is due for rotation [default: 90d]'
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --require-expiry 'New keys must have an expiration (generate --expires never is refused)'
            cand --no-require-expiry 'New keys may never expire (unless a maximum lifetime is set)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'seenty-keys;org;release-pending'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'seenty-keys;org;use'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'seenty-keys;org;help'= {
            cand create 'Create an organization'
            cand list 'List organizations with their keys in use against each limit'
            cand show 'Show one organization [default: the current one]'
            cand set-plan 'Change the current organization''s plan (a downgrade below the active keys asks first)'
            cand policy 'Show the current organization''s key policy, or change it'
            cand release-pending 'Release the places of keys being delivered (a generate or rotate whose process died)'
            cand use 'Make an organization the default for this store'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'seenty-keys;org;help;create'= {
        }
        &'seenty-keys;org;help;list'= {
        }
        &'seenty-keys;org;help;show'= {
        }
        &'seenty-keys;org;help;set-plan'= {
        }
        &'seenty-keys;org;help;policy'= {
        }
        &'seenty-keys;org;help;release-pending'= {
        }
        &'seenty-keys;org;help;use'= {
        }
        &'seenty-keys;org;help;help'= {
        }
        &'seenty-keys;plans'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'seenty-keys;generate'= {
            cand -n 'What the key is for, e.g. "GitHub Actions CI" (prompted for at a terminal)'
            cand --name 'What the key is for, e.g. "GitHub Actions CI" (prompted for at a terminal)'
            cand -e 'never, a duration (90d, 12h, 2w, 30m), a date YYYY-MM-DD, or an RFC 3339 time; at most 10 years ahead [default: the organization''s maximum lifetime (org policy), else never]'
            cand --expires 'never, a duration (90d, 12h, 2w, 30m), a date YYYY-MM-DD, or an RFC 3339 time; at most 10 years ahead [default: the organization''s maximum lifetime (org policy), else never]'
            cand --exec 'Hand the key to `sh -c CMD` on its standard input instead of printing it; the key is stored only if CMD exits 0 (e.g. ''gh secret set SEENTY_TOKEN'')'
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'seenty-keys;list'= {
            cand --status 'Only keys with this status'
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'seenty-keys;ls'= {
            cand --status 'Only keys with this status'
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'seenty-keys;show'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'seenty-keys;revoke'= {
            cand --unused-for 'Also revoke every active key last used longer ago than this (30d, 12h)'
            cand --expiring-within 'Also revoke every active key that expires within this (14d, 12h)'
            cand --reason 'Why, kept in each key''s history [default with a selector: what selected the key]'
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --never-used 'Also revoke every active key created more than 7 days ago and never used'
            cand --dry-run 'List what would be revoked, and change nothing'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'seenty-keys;rotate'= {
            cand --grace 'Keep the old key working this long (at most 7d): 30m, 1h, 2d'
            cand -e 'The new key''s expiration, as generate''s --expires [default: the old key''s lifetime, counted from now, at most the organization''s maximum lifetime]'
            cand --expires 'The new key''s expiration, as generate''s --expires [default: the old key''s lifetime, counted from now, at most the organization''s maximum lifetime]'
            cand --exec 'Hand the new key to `sh -c CMD` on its standard input instead of printing it; the rotation happens only if CMD exits 0 (e.g. ''gh secret set SEENTY_TOKEN'')'
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'seenty-keys;verify'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --batch 'Read one key per line from standard input; print one result per line'
            cand --no-touch 'Do not record the use as "last used"'
            cand -q 'Print nothing on standard output; the exit status tells'
            cand --quiet 'Print nothing on standard output; the exit status tells'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'seenty-keys;report'= {
            cand --unused-for 'A key last used longer ago than this is unused'
            cand --expiring-within 'A key that stops working within this is expiring'
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'seenty-keys;scan'= {
            cand --git 'Search git history: every blob and message reachable from all refs, or from the commits of RANGE (e.g. origin/main..HEAD); findings are COMMIT:PATH:LINE:COLUMN'
            cand --format 'Output format (--json is --format json)'
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --no-ignore 'Search files that .gitignore and .ignore exclude too'
            cand --staged 'Search what is staged in the git index (what git commit would record), for a pre-commit hook'
            cand --revoke 'Revoke the active keys found (asks first; --yes to skip)'
            cand -y 'Do not ask before revoking'
            cand --yes 'Do not ask before revoking'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'seenty-keys;log'= {
            cand --key 'Only the events of this key (an id, a name, or - for the key on standard input)'
            cand -n 'How many events to show, newest first'
            cand --limit 'How many events to show, newest first'
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'seenty-keys;export'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'seenty-keys;import'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --merge 'Add to a store that already holds organizations (what it holds is kept)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'seenty-keys;serve'= {
            cand --listen 'Where to listen, repeatable: HOST:PORT (port 0 picks a free one) or unix:PATH (a socket of mode 0660)'
            cand --freshness 'Answer 503 when the store''s changes have not been confirmed for this long: 1s, 500ms, 1m (at most 60s)'
            cand --leak-keys 'GitHub''s secret-scanning public keys, as GitHub publishes them: a file, or an http(s):// URL such as https://api.github.com/meta/public_keys/secret_scanning. Enables POST /v1/leaks/github'
            cand --gitlab-leak-keys 'GitLab''s secret-detection public keys (same format), enabling POST /v1/leaks/gitlab'
            cand --on-leak 'What a leak report does to an active key of the store: revoke it at once, or record the report in the audit log and keep the key working'
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'seenty-keys;completions'= {
            cand --db 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]'
            cand --org 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]'
            cand --color 'When to use colors (NO_COLOR also turns them off)'
            cand --json 'Print machine-readable JSON instead of text'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'seenty-keys;help'= {
            cand init 'Create the store and its first organization'
            cand org 'Manage organizations and their plans'
            cand plans 'Show the plans and their limits on active keys'
            cand generate 'Create a new key and print it once'
            cand list 'List the organization''s keys'
            cand show 'Show one key''s properties'
            cand revoke 'Revoke keys, immediately: named ones, or those unused, never used or expiring'
            cand rotate 'Replace a key with a new one of the same name, printed once'
            cand verify 'Check a key: exit 0 when valid, 1 when rejected'
            cand report 'List what needs attention: unused, unexpiring, expiring, unrotated, leaked keys (exit 1 if any)'
            cand scan 'Find sk_live_ keys in files or git and say which are live (exit 1 if one may work)'
            cand log 'Show the audit trail, newest first'
            cand export 'Write the whole store (organizations, keys as hashes, history) as JSON lines'
            cand import 'Load what export wrote, from standard input, into this store'
            cand serve 'Answer API servers and gateways over HTTP: is this key valid right now?'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'seenty-keys;help;init'= {
        }
        &'seenty-keys;help;org'= {
            cand create 'Create an organization'
            cand list 'List organizations with their keys in use against each limit'
            cand show 'Show one organization [default: the current one]'
            cand set-plan 'Change the current organization''s plan (a downgrade below the active keys asks first)'
            cand policy 'Show the current organization''s key policy, or change it'
            cand release-pending 'Release the places of keys being delivered (a generate or rotate whose process died)'
            cand use 'Make an organization the default for this store'
        }
        &'seenty-keys;help;org;create'= {
        }
        &'seenty-keys;help;org;list'= {
        }
        &'seenty-keys;help;org;show'= {
        }
        &'seenty-keys;help;org;set-plan'= {
        }
        &'seenty-keys;help;org;policy'= {
        }
        &'seenty-keys;help;org;release-pending'= {
        }
        &'seenty-keys;help;org;use'= {
        }
        &'seenty-keys;help;plans'= {
        }
        &'seenty-keys;help;generate'= {
        }
        &'seenty-keys;help;list'= {
        }
        &'seenty-keys;help;show'= {
        }
        &'seenty-keys;help;revoke'= {
        }
        &'seenty-keys;help;rotate'= {
        }
        &'seenty-keys;help;verify'= {
        }
        &'seenty-keys;help;report'= {
        }
        &'seenty-keys;help;scan'= {
        }
        &'seenty-keys;help;log'= {
        }
        &'seenty-keys;help;export'= {
        }
        &'seenty-keys;help;import'= {
        }
        &'seenty-keys;help;serve'= {
        }
        &'seenty-keys;help;completions'= {
        }
        &'seenty-keys;help;help'= {
        }
    ]
    $completions[$command]
}
