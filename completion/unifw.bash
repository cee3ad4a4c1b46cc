# bash completion for unifw(1) and unifw-sim(1); installed as share/bash-completion/completions/unifw
# (and unifw-sim). Options come from the programs' own --help, so they stay current with the binary.

_unifw_options()
{
	# every --long option a usage text names (the programs print usage on stdout for --help)
	"$@" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

_unifw()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -n = || return
	else
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	fi
	local prog=${words[0]}
	local commands="info scatter bootimg logo sparse devices identify backup format flash reboot read write identity"
	commands+=" fingerprint"
	commands+=" check"
	commands+=" catalog"
	commands+=" port"
	commands+=" universal"
	if ((cword == 1)); then
		mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
		return
	fi
	local cmd=${words[1]} sub=
	case $cmd in
	scatter) sub="validate show convert" ;;
	bootimg) sub="unpack repack info" ;;
	logo) sub="unpack repack" ;;
	sparse) sub="to-raw to-sparse" ;;
	identity) sub="backup list prune show restore set-mac set-bt" ;;
	catalog) sub="add list show match" ;;
	universal) sub="build" ;;
	esac
	if [[ -n $sub ]] && ((cword == 2)); then
		mapfile -t COMPREPLY < <(compgen -W "$sub --help" -- "$cur")
		return
	fi
	case $prev in
	-p | --port)
		mapfile -t COMPREPLY < <(compgen -W "auto $(compgen -G '/dev/ttyACM*') usb: unix: tcp:" -- "$cur")
		return ;;
	--to)
		mapfile -t COMPREPLY < <(compgen -W "v1 plain braces" -- "$cur")
		return ;;
	-o | --output | --images | --backup-dir | --journal | --da | --preloader | --trace | --kernel | --ramdisk | --backup | --from | --db | --fingerprint | --stock | --base | --phone)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--html) # unifw check --html FILE: the page to write
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--partition | --only)
		# the MT6572 ptgen names and their Android aliases (src/ops/partname.c), any case accepted
		mapfile -t COMPREPLY < <(compgen -W "PRELOADER MBR EBR1 EBR2 PRO_INFO NVRAM PROTECT_F PROTECT_S SECCFG UBOOT
			BOOTIMG RECOVERY SEC_RO MISC LOGO EXPDB CUSTPACK PRELOAD MOBILE_INFO ANDROID CACHE USRDATA FAT BMTPOOL
			boot recovery system cache userdata data lk logo nvram preloader misc secro protect1 protect2
			internal_sd" -- "$cur")
		return ;;
	--size | --chunk | --device-size | --pad-to | --max-size | --block-size | --range-size | --wait | --cid | --keep)
		return ;; # a value the user knows: nothing to offer
	esac
	if [[ $cur == -* ]]; then
		local opts
		if [[ -n $sub ]]; then
			opts=$(_unifw_options "$prog" "$cmd" "${words[2]}")
		else
			opts=$(_unifw_options "$prog" "$cmd")
		fi
		mapfile -t COMPREPLY < <(compgen -W "$opts --help" -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

_unifw_sim()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	--socket | --pty-link | --emmc | -o | --output | --preloader | --da | --package)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	esac
	if ((COMP_CWORD == 1)) && [[ $cur != -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "models make-firmware make-emmc make-da flash-package erase damage boot" -- "$cur")
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_unifw_options "${COMP_WORDS[0]}") --help" -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -F _unifw unifw
complete -F _unifw_sim unifw-sim
