# The completion function; make_docs.py puts the words of the programs' --help above it
# (_tm_commands, _tm_options, _tm_takes_value, _tm_choices), so nothing here names a flag.

# _tm_complete_command CMD FIRST: completes COMP_WORDS[FIRST..] as the arguments of tm-CMD.
_tm_complete_command() {
    local cmd=$1 first=$2 cur=${COMP_WORDS[COMP_CWORD]}
    local prev=""
    ((COMP_CWORD > first)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # The value of an option: its choices, else file names (paths are the usual value).
    if [[ -n $prev && $prev == -* && -n ${_tm_takes_value["$cmd $prev"]:-} ]]; then
        if [[ -n ${_tm_choices["$cmd $prev"]:-} ]]; then
            mapfile -t COMPREPLY < <(compgen -W "${_tm_choices["$cmd $prev"]}" -- "$cur")
        else
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        fi
        return 0
    fi
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "${_tm_options[$cmd]:-}" -- "$cur")
        return 0
    fi
    # A positional (the source of pull and backfill, the view of query): its choices until
    # one is given, then the options.
    local i word given=0
    for ((i = first; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ $word == -* ]]; then
            [[ -n ${_tm_takes_value["$cmd $word"]:-} ]] && ((i++))
        else
            given=1
        fi
    done
    if ((given == 0)) && [[ -n ${_tm_choices["$cmd positional"]:-} ]]; then
        mapfile -t COMPREPLY < <(compgen -W "${_tm_choices["$cmd positional"]}" -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -W "${_tm_options[$cmd]:-}" -- "$cur")
    fi
    return 0
}

# tm COMMAND ARGS, tm help COMMAND, and each tm-COMMAND called directly.
_tm() {
    local program=${COMP_WORDS[0]##*/}
    COMPREPLY=()
    if [[ $program == tm-* ]]; then
        _tm_complete_command "${program#tm-}" 1
        return 0
    fi
    local cur=${COMP_WORDS[COMP_CWORD]}
    if ((COMP_CWORD == 1)); then
        mapfile -t COMPREPLY < <(compgen -W "$_tm_commands help --help --version" -- "$cur")
    elif [[ ${COMP_WORDS[1]} == help ]]; then
        ((COMP_CWORD == 2)) && mapfile -t COMPREPLY < <(compgen -W "$_tm_commands" -- "$cur")
    elif [[ " $_tm_commands " == *" ${COMP_WORDS[1]} "* ]]; then
        _tm_complete_command "${COMP_WORDS[1]}" 2
    fi
    return 0
}
