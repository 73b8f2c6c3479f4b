# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_seenty_keys_global_optspecs
    string join \n db= org= json color= h/help V/version
end

function __fish_seenty_keys_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_seenty_keys_global_optspecs) -- $cmd 2>/dev/null
    or return 0
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_seenty_keys_using_subcommand
    set -l cmd (__fish_seenty_keys_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -s V -l version -d 'Print version'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "init" -d 'Create the store and its first organization'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "org" -d 'Manage organizations and their plans'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "plans" -d 'Show the plans and their limits on active keys'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "generate" -d 'Create a new key and print it once'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "list" -d 'List the organization\'s keys'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "ls" -d 'List the organization\'s keys'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "show" -d 'Show one key\'s properties'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "revoke" -d 'Revoke keys, immediately: named ones, or those unused, never used or expiring'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "rotate" -d 'Replace a key with a new one of the same name, printed once'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "verify" -d 'Check a key: exit 0 when valid, 1 when rejected'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "report" -d 'List what needs attention: unused, unexpiring, expiring, unrotated, leaked keys (exit 1 if any)'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "scan" -d 'Find sk_live_ keys in files or git and say which are live (exit 1 if one may work)'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "log" -d 'Show the audit trail, newest first'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "export" -d 'Write the whole store (organizations, keys as hashes, history) as JSON lines'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "import" -d 'Load what export wrote, from standard input, into this store'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "serve" -d 'Answer API servers and gateways over HTTP: is this key valid right now?'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c seenty-keys -n "__fish_seenty_keys_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand init" -l plan -d 'The first organization\'s plan (prompted for at a terminal)' -r -f -a "hobby\t''
starter\t''
pro\t''
ultra\t''
enterprise\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand init" -l name -d 'The first organization\'s display name [default: its slug]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand init" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand init" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand init" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand init" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand init" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -f -a "create" -d 'Create an organization'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -f -a "list" -d 'List organizations with their keys in use against each limit'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -f -a "ls" -d 'List organizations with their keys in use against each limit'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -f -a "show" -d 'Show one organization [default: the current one]'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -f -a "set-plan" -d 'Change the current organization\'s plan (a downgrade below the active keys asks first)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -f -a "policy" -d 'Show the current organization\'s key policy, or change it'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -f -a "release-pending" -d 'Release the places of keys being delivered (a generate or rotate whose process died)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -f -a "use" -d 'Make an organization the default for this store'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and not __fish_seen_subcommand_from create list ls show set-plan policy release-pending use help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from create" -l plan -d 'The plan, which caps the active keys' -r -f -a "hobby\t''
starter\t''
pro\t''
ultra\t''
enterprise\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from create" -l name -d 'A display name [default: the slug]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from create" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from create" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from create" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from create" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from list" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from list" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from list" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from ls" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from ls" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from ls" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from ls" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from show" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from show" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from show" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from set-plan" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from set-plan" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from set-plan" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from set-plan" -s y -l yes -d 'Do not ask for confirmation'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from set-plan" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from set-plan" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from policy" -l max-lifetime -d 'New keys must expire within this long (90d, 12h, 30m), or none for no maximum; generate without --expires then gives exactly this lifetime' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from policy" -l rotate-every -d 'The age after which report says a key is due for rotation [default: 90d]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from policy" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from policy" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from policy" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from policy" -l require-expiry -d 'New keys must have an expiration (generate --expires never is refused)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from policy" -l no-require-expiry -d 'New keys may never expire (unless a maximum lifetime is set)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from policy" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from policy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from release-pending" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from release-pending" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from release-pending" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from release-pending" -s y -l yes -d 'Do not ask for confirmation'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from release-pending" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from release-pending" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from use" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from use" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from use" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from use" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from use" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create an organization'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "list" -d 'List organizations with their keys in use against each limit'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one organization [default: the current one]'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "set-plan" -d 'Change the current organization\'s plan (a downgrade below the active keys asks first)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "policy" -d 'Show the current organization\'s key policy, or change it'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "release-pending" -d 'Release the places of keys being delivered (a generate or rotate whose process died)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "use" -d 'Make an organization the default for this store'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand plans" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand plans" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand plans" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand plans" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand plans" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand generate" -s n -l name -d 'What the key is for, e.g. "GitHub Actions CI" (prompted for at a terminal)' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand generate" -s e -l expires -d 'never, a duration (90d, 12h, 2w, 30m), a date YYYY-MM-DD, or an RFC 3339 time; at most 10 years ahead [default: the organization\'s maximum lifetime (org policy), else never]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand generate" -l exec -d 'Hand the key to `sh -c CMD` on its standard input instead of printing it; the key is stored only if CMD exits 0 (e.g. \'gh secret set SEENTY_TOKEN\')' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand generate" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand generate" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand generate" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand generate" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand generate" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand list" -l status -d 'Only keys with this status' -r -f -a "active\t''
revoked\t''
expired\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand list" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand list" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand list" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand list" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand ls" -l status -d 'Only keys with this status' -r -f -a "active\t''
revoked\t''
expired\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand ls" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand ls" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand ls" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand ls" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand show" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand show" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand show" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand show" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand show" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand revoke" -l unused-for -d 'Also revoke every active key last used longer ago than this (30d, 12h)' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand revoke" -l expiring-within -d 'Also revoke every active key that expires within this (14d, 12h)' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand revoke" -l reason -d 'Why, kept in each key\'s history [default with a selector: what selected the key]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand revoke" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand revoke" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand revoke" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand revoke" -l never-used -d 'Also revoke every active key created more than 7 days ago and never used'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand revoke" -l dry-run -d 'List what would be revoked, and change nothing'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand revoke" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand revoke" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand rotate" -l grace -d 'Keep the old key working this long (at most 7d): 30m, 1h, 2d' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand rotate" -s e -l expires -d 'The new key\'s expiration, as generate\'s --expires [default: the old key\'s lifetime, counted from now, at most the organization\'s maximum lifetime]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand rotate" -l exec -d 'Hand the new key to `sh -c CMD` on its standard input instead of printing it; the rotation happens only if CMD exits 0 (e.g. \'gh secret set SEENTY_TOKEN\')' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand rotate" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand rotate" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand rotate" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand rotate" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand rotate" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand rotate" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand verify" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand verify" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand verify" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand verify" -l batch -d 'Read one key per line from standard input; print one result per line'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand verify" -l no-touch -d 'Do not record the use as "last used"'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand verify" -s q -l quiet -d 'Print nothing on standard output; the exit status tells'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand verify" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand report" -l unused-for -d 'A key last used longer ago than this is unused' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand report" -l expiring-within -d 'A key that stops working within this is expiring' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand report" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand report" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand report" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand report" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand scan" -l git -d 'Search git history: every blob and message reachable from all refs, or from the commits of RANGE (e.g. origin/main..HEAD); findings are COMMIT:PATH:LINE:COLUMN' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand scan" -l format -d 'Output format (--json is --format json)' -r -f -a "text\t'One line per finding'
json\t'A JSON array of findings'
sarif\t'SARIF 2.1.0, for code-scanning tools'"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand scan" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand scan" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand scan" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand scan" -l no-ignore -d 'Search files that .gitignore and .ignore exclude too'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand scan" -l staged -d 'Search what is staged in the git index (what git commit would record), for a pre-commit hook'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand scan" -l revoke -d 'Revoke the active keys found (asks first; --yes to skip)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand scan" -s y -l yes -d 'Do not ask before revoking'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand scan" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand log" -l key -d 'Only the events of this key (an id, a name, or - for the key on standard input)' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand log" -s n -l limit -d 'How many events to show, newest first' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand log" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand log" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand log" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand log" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand log" -s h -l help -d 'Print help'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand export" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand export" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand export" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand export" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand import" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand import" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand import" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand import" -l merge -d 'Add to a store that already holds organizations (what it holds is kept)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand import" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand serve" -l listen -d 'Where to listen, repeatable: HOST:PORT (port 0 picks a free one) or unix:PATH (a socket of mode 0660)' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand serve" -l freshness -d 'Answer 503 when the store\'s changes have not been confirmed for this long: 1s, 500ms, 1m (at most 60s)' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand serve" -l leak-keys -d 'GitHub\'s secret-scanning public keys, as GitHub publishes them: a file, or an http(s):// URL such as https://api.github.com/meta/public_keys/secret_scanning. Enables POST /v1/leaks/github' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand serve" -l gitlab-leak-keys -d 'GitLab\'s secret-detection public keys (same format), enabling POST /v1/leaks/gitlab' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand serve" -l on-leak -d 'What a leak report does to an active key of the store: revoke it at once, or record the report in the audit log and keep the key working' -r -f -a "revoke\t'Revoke it at once'
record\t'Keep it working and record the report in the audit trail'"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand serve" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand serve" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand serve" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand serve" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand completions" -l db -d 'The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand completions" -l org -d 'The organization to act on [default: the one set by \'org use\', or the only one] [env: SEENTY_ORG]' -r
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand completions" -l color -d 'When to use colors (NO_COLOR also turns them off)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand completions" -l json -d 'Print machine-readable JSON instead of text'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "init" -d 'Create the store and its first organization'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "org" -d 'Manage organizations and their plans'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "plans" -d 'Show the plans and their limits on active keys'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "generate" -d 'Create a new key and print it once'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "list" -d 'List the organization\'s keys'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "show" -d 'Show one key\'s properties'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "revoke" -d 'Revoke keys, immediately: named ones, or those unused, never used or expiring'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "rotate" -d 'Replace a key with a new one of the same name, printed once'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "verify" -d 'Check a key: exit 0 when valid, 1 when rejected'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "report" -d 'List what needs attention: unused, unexpiring, expiring, unrotated, leaked keys (exit 1 if any)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "scan" -d 'Find sk_live_ keys in files or git and say which are live (exit 1 if one may work)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "log" -d 'Show the audit trail, newest first'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "export" -d 'Write the whole store (organizations, keys as hashes, history) as JSON lines'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "import" -d 'Load what export wrote, from standard input, into this store'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "serve" -d 'Answer API servers and gateways over HTTP: is this key valid right now?'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and not __fish_seen_subcommand_from init org plans generate list show revoke rotate verify report scan log export import serve completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and __fish_seen_subcommand_from org" -f -a "create" -d 'Create an organization'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and __fish_seen_subcommand_from org" -f -a "list" -d 'List organizations with their keys in use against each limit'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and __fish_seen_subcommand_from org" -f -a "show" -d 'Show one organization [default: the current one]'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and __fish_seen_subcommand_from org" -f -a "set-plan" -d 'Change the current organization\'s plan (a downgrade below the active keys asks first)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and __fish_seen_subcommand_from org" -f -a "policy" -d 'Show the current organization\'s key policy, or change it'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and __fish_seen_subcommand_from org" -f -a "release-pending" -d 'Release the places of keys being delivered (a generate or rotate whose process died)'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand help; and __fish_seen_subcommand_from org" -f -a "use" -d 'Make an organization the default for this store'
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand org; and __fish_seen_subcommand_from set-plan" -f -a "hobby starter pro ultra enterprise"
complete -c seenty-keys -n "__fish_seenty_keys_using_subcommand completions" -f -a "bash elvish fish powershell zsh"
