# SPDX-License-Identifier: LGPL-2.1-or-later
# Bash completion for e2call. The flags come from the binary's own --help-all,
# so the completion never drifts from the code. Installed by meson into
# share/bash-completion/completions/e2call; or: source scripts/e2call-completion.bash
_e2call()
{
    local cur prev words cword
    _init_completion 2>/dev/null || {
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    }
    local commands="join session rekey status stats leave load check"
    if [ "$cword" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    local cmd=${words[1]} sub=
    if [ "$cmd" = session ]; then
        if [ "$cword" -eq 2 ]; then
            COMPREPLY=($(compgen -W "create destroy" -- "$cur"))
            return
        fi
        sub=${words[2]}
    fi
    case $prev in
    --secret-file|--media-file|--control|--secrets|--api-secret-file|--token-file|\
    --room-pin-file|--room-secret-file|--ca-file)
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    --snapshot)
        COMPREPLY=($(compgen -d -- "$cur"))
        return ;;
    --video)
        COMPREPLY=($(compgen -W "vp8 vp9 h264 none" -- "$cur"))
        return ;;
    --audio)
        COMPREPLY=($(compgen -W "opus none" -- "$cur"))
        return ;;
    --cipher-suite)
        COMPREPLY=($(compgen -W "1 2 3 4 5 6 7 8" -- "$cur"))
        return ;;
    --secret-env|--api-secret-env|--token-env|--room-pin-env|--room-secret-env)
        COMPREPLY=($(compgen -e -- "$cur"))
        return ;;
    esac
    local flags
    flags=$("${words[0]}" $cmd $sub --help-all 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' |
        sort -u)
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
}
complete -F _e2call e2call
