
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'seenty-keys' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'seenty-keys'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'seenty-keys' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the store and its first organization')
            [CompletionResult]::new('org', 'org', [CompletionResultType]::ParameterValue, 'Manage organizations and their plans')
            [CompletionResult]::new('plans', 'plans', [CompletionResultType]::ParameterValue, 'Show the plans and their limits on active keys')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Create a new key and print it once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s keys')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the organization''s keys')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one key''s properties')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke keys, immediately: named ones, or those unused, never used or expiring')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Replace a key with a new one of the same name, printed once')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a key: exit 0 when valid, 1 when rejected')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'List what needs attention: unused, unexpiring, expiring, unrotated, leaked keys (exit 1 if any)')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Find sk_live_ keys in files or git and say which are live (exit 1 if one may work)')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the audit trail, newest first')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the whole store (organizations, keys as hashes, history) as JSON lines')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Load what export wrote, from standard input, into this store')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Answer API servers and gateways over HTTP: is this key valid right now?')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'seenty-keys;init' {
            [CompletionResult]::new('--plan', '--plan', [CompletionResultType]::ParameterName, 'The first organization''s plan (prompted for at a terminal)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The first organization''s display name [default: its slug]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'seenty-keys;org' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an organization')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List organizations with their keys in use against each limit')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List organizations with their keys in use against each limit')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one organization [default: the current one]')
            [CompletionResult]::new('set-plan', 'set-plan', [CompletionResultType]::ParameterValue, 'Change the current organization''s plan (a downgrade below the active keys asks first)')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Show the current organization''s key policy, or change it')
            [CompletionResult]::new('release-pending', 'release-pending', [CompletionResultType]::ParameterValue, 'Release the places of keys being delivered (a generate or rotate whose process died)')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make an organization the default for this store')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'seenty-keys;org;create' {
            [CompletionResult]::new('--plan', '--plan', [CompletionResultType]::ParameterName, 'The plan, which caps the active keys')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A display name [default: the slug]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'seenty-keys;org;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'seenty-keys;org;ls' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'seenty-keys;org;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'seenty-keys;org;set-plan' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'seenty-keys;org;policy' {
            [CompletionResult]::new('--max-lifetime', '--max-lifetime', [CompletionResultType]::ParameterName, 'New keys must expire within this long (90d, 12h, 30m), or none for no maximum; generate without --expires then gives exactly this lifetime')
            [CompletionResult]::new('--rotate-every', '--rotate-every', [CompletionResultType]::ParameterName, 'The age after which report says a key is due for rotation [default: 90d]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--require-expiry', '--require-expiry', [CompletionResultType]::ParameterName, 'New keys must have an expiration (generate --expires never is refused)')
            [CompletionResult]::new('--no-require-expiry', '--no-require-expiry', [CompletionResultType]::ParameterName, 'New keys may never expire (unless a maximum lifetime is set)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'seenty-keys;org;release-pending' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'seenty-keys;org;use' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'seenty-keys;org;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an organization')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List organizations with their keys in use against each limit')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one organization [default: the current one]')
            [CompletionResult]::new('set-plan', 'set-plan', [CompletionResultType]::ParameterValue, 'Change the current organization''s plan (a downgrade below the active keys asks first)')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Show the current organization''s key policy, or change it')
            [CompletionResult]::new('release-pending', 'release-pending', [CompletionResultType]::ParameterValue, 'Release the places of keys being delivered (a generate or rotate whose process died)')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make an organization the default for this store')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'seenty-keys;org;help;create' {
            break
        }
        'seenty-keys;org;help;list' {
            break
        }
        'seenty-keys;org;help;show' {
            break
        }
        'seenty-keys;org;help;set-plan' {
            break
        }
        'seenty-keys;org;help;policy' {
            break
        }
        'seenty-keys;org;help;release-pending' {
            break
        }
        'seenty-keys;org;help;use' {
            break
        }
        'seenty-keys;org;help;help' {
            break
        }
        'seenty-keys;plans' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'seenty-keys;generate' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'What the key is for, e.g. "GitHub Actions CI" (prompted for at a terminal)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'What the key is for, e.g. "GitHub Actions CI" (prompted for at a terminal)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'never, a duration (90d, 12h, 2w, 30m), a date YYYY-MM-DD, or an RFC 3339 time; at most 10 years ahead [default: the organization''s maximum lifetime (org policy), else never]')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'never, a duration (90d, 12h, 2w, 30m), a date YYYY-MM-DD, or an RFC 3339 time; at most 10 years ahead [default: the organization''s maximum lifetime (org policy), else never]')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Hand the key to `sh -c CMD` on its standard input instead of printing it; the key is stored only if CMD exits 0 (e.g. ''gh secret set SEENTY_TOKEN'')')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'seenty-keys;list' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only keys with this status')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'seenty-keys;ls' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only keys with this status')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'seenty-keys;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'seenty-keys;revoke' {
            [CompletionResult]::new('--unused-for', '--unused-for', [CompletionResultType]::ParameterName, 'Also revoke every active key last used longer ago than this (30d, 12h)')
            [CompletionResult]::new('--expiring-within', '--expiring-within', [CompletionResultType]::ParameterName, 'Also revoke every active key that expires within this (14d, 12h)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, kept in each key''s history [default with a selector: what selected the key]')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--never-used', '--never-used', [CompletionResultType]::ParameterName, 'Also revoke every active key created more than 7 days ago and never used')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'List what would be revoked, and change nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'seenty-keys;rotate' {
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'Keep the old key working this long (at most 7d): 30m, 1h, 2d')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'The new key''s expiration, as generate''s --expires [default: the old key''s lifetime, counted from now, at most the organization''s maximum lifetime]')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'The new key''s expiration, as generate''s --expires [default: the old key''s lifetime, counted from now, at most the organization''s maximum lifetime]')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Hand the new key to `sh -c CMD` on its standard input instead of printing it; the rotation happens only if CMD exits 0 (e.g. ''gh secret set SEENTY_TOKEN'')')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'seenty-keys;verify' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Read one key per line from standard input; print one result per line')
            [CompletionResult]::new('--no-touch', '--no-touch', [CompletionResultType]::ParameterName, 'Do not record the use as "last used"')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on standard output; the exit status tells')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on standard output; the exit status tells')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'seenty-keys;report' {
            [CompletionResult]::new('--unused-for', '--unused-for', [CompletionResultType]::ParameterName, 'A key last used longer ago than this is unused')
            [CompletionResult]::new('--expiring-within', '--expiring-within', [CompletionResultType]::ParameterName, 'A key that stops working within this is expiring')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'seenty-keys;scan' {
            [CompletionResult]::new('--git', '--git', [CompletionResultType]::ParameterName, 'Search git history: every blob and message reachable from all refs, or from the commits of RANGE (e.g. origin/main..HEAD); findings are COMMIT:PATH:LINE:COLUMN')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (--json is --format json)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--no-ignore', '--no-ignore', [CompletionResultType]::ParameterName, 'Search files that .gitignore and .ignore exclude too')
            [CompletionResult]::new('--staged', '--staged', [CompletionResultType]::ParameterName, 'Search what is staged in the git index (what git commit would record), for a pre-commit hook')
            [CompletionResult]::new('--revoke', '--revoke', [CompletionResultType]::ParameterName, 'Revoke the active keys found (asks first; --yes to skip)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask before revoking')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask before revoking')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'seenty-keys;log' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only the events of this key (an id, a name, or - for the key on standard input)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many events to show, newest first')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many events to show, newest first')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'seenty-keys;export' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'seenty-keys;import' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--merge', '--merge', [CompletionResultType]::ParameterName, 'Add to a store that already holds organizations (what it holds is kept)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'seenty-keys;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen, repeatable: HOST:PORT (port 0 picks a free one) or unix:PATH (a socket of mode 0660)')
            [CompletionResult]::new('--freshness', '--freshness', [CompletionResultType]::ParameterName, 'Answer 503 when the store''s changes have not been confirmed for this long: 1s, 500ms, 1m (at most 60s)')
            [CompletionResult]::new('--leak-keys', '--leak-keys', [CompletionResultType]::ParameterName, 'GitHub''s secret-scanning public keys, as GitHub publishes them: a file, or an http(s):// URL such as https://api.github.com/meta/public_keys/secret_scanning. Enables POST /v1/leaks/github')
            [CompletionResult]::new('--gitlab-leak-keys', '--gitlab-leak-keys', [CompletionResultType]::ParameterName, 'GitLab''s secret-detection public keys (same format), enabling POST /v1/leaks/gitlab')
            [CompletionResult]::new('--on-leak', '--on-leak', [CompletionResultType]::ParameterName, 'What a leak report does to an active key of the store: revoke it at once, or record the report in the audit log and keep the key working')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'seenty-keys;completions' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'The organization to act on [default: the one set by ''org use'', or the only one] [env: SEENTY_ORG]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors (NO_COLOR also turns them off)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print machine-readable JSON instead of text')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'seenty-keys;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create the store and its first organization')
            [CompletionResult]::new('org', 'org', [CompletionResultType]::ParameterValue, 'Manage organizations and their plans')
            [CompletionResult]::new('plans', 'plans', [CompletionResultType]::ParameterValue, 'Show the plans and their limits on active keys')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Create a new key and print it once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s keys')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one key''s properties')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke keys, immediately: named ones, or those unused, never used or expiring')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Replace a key with a new one of the same name, printed once')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a key: exit 0 when valid, 1 when rejected')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'List what needs attention: unused, unexpiring, expiring, unrotated, leaked keys (exit 1 if any)')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Find sk_live_ keys in files or git and say which are live (exit 1 if one may work)')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the audit trail, newest first')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the whole store (organizations, keys as hashes, history) as JSON lines')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Load what export wrote, from standard input, into this store')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Answer API servers and gateways over HTTP: is this key valid right now?')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'seenty-keys;help;init' {
            break
        }
        'seenty-keys;help;org' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an organization')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List organizations with their keys in use against each limit')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one organization [default: the current one]')
            [CompletionResult]::new('set-plan', 'set-plan', [CompletionResultType]::ParameterValue, 'Change the current organization''s plan (a downgrade below the active keys asks first)')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Show the current organization''s key policy, or change it')
            [CompletionResult]::new('release-pending', 'release-pending', [CompletionResultType]::ParameterValue, 'Release the places of keys being delivered (a generate or rotate whose process died)')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make an organization the default for this store')
            break
        }
        'seenty-keys;help;org;create' {
            break
        }
        'seenty-keys;help;org;list' {
            break
        }
        'seenty-keys;help;org;show' {
            break
        }
        'seenty-keys;help;org;set-plan' {
            break
        }
        'seenty-keys;help;org;policy' {
            break
        }
        'seenty-keys;help;org;release-pending' {
            break
        }
        'seenty-keys;help;org;use' {
            break
        }
        'seenty-keys;help;plans' {
            break
        }
        'seenty-keys;help;generate' {
            break
        }
        'seenty-keys;help;list' {
            break
        }
        'seenty-keys;help;show' {
            break
        }
        'seenty-keys;help;revoke' {
            break
        }
        'seenty-keys;help;rotate' {
            break
        }
        'seenty-keys;help;verify' {
            break
        }
        'seenty-keys;help;report' {
            break
        }
        'seenty-keys;help;scan' {
            break
        }
        'seenty-keys;help;log' {
            break
        }
        'seenty-keys;help;export' {
            break
        }
        'seenty-keys;help;import' {
            break
        }
        'seenty-keys;help;serve' {
            break
        }
        'seenty-keys;help;completions' {
            break
        }
        'seenty-keys;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
