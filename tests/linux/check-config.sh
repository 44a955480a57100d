#!/usr/bin/env bash
# Check that a kernel .config kept what a fragment asked for.
#
# Usage: check-config.sh DOT_CONFIG FRAGMENT
#
# olddefconfig silently drops a symbol whose dependencies are unmet, so after
# merging, every "CONFIG_X=y" in the fragment must read "CONFIG_X=y" in the
# .config, and every "# CONFIG_X is not set" must be neither =y nor =m.
# Prints one line per broken promise and exits 1 if there is any; 0 if not.
set -u
config=${1:?usage: check-config.sh DOT_CONFIG FRAGMENT}
fragment=${2:?usage: check-config.sh DOT_CONFIG FRAGMENT}
[ -r "$config" ] || { echo "check-config: cannot read $config" >&2; exit 2; }
[ -r "$fragment" ] || { echo "check-config: cannot read $fragment" >&2; exit 2; }

# The value a .config gives a symbol: y, m, a string/number, or "n".
value_of() {
	local v
	v=$(sed -n "s/^$1=//p" "$config" | tail -n 1)
	echo "${v:-n}"
}

missing=() wrongly_on=() checked=0
while IFS= read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=y[[:space:]]*$ ]]; then
		sym=${BASH_REMATCH[1]}
		got=$(value_of "$sym")
		[ "$got" = y ] || missing+=("$sym (wanted y, got $got)")
		checked=$((checked + 1))
	elif [[ $line =~ ^#[[:space:]]*(CONFIG_[A-Za-z0-9_]+)[[:space:]]is[[:space:]]not[[:space:]]set ]]; then
		sym=${BASH_REMATCH[1]}
		got=$(value_of "$sym")
		case $got in y|m) wrongly_on+=("$sym (wanted off, got $got)") ;; esac
		checked=$((checked + 1))
	fi
done < "$fragment"

if [ ${#missing[@]} -eq 0 ] && [ ${#wrongly_on[@]} -eq 0 ]; then
	echo "check-config: all $checked symbols of $(basename "$fragment") as asked"
	exit 0
fi
echo "check-config: FAILED: $config does not match $(basename "$fragment")" >&2
for s in "${missing[@]}"; do echo "  missing:     $s" >&2; done
for s in "${wrongly_on[@]}"; do echo "  not dropped: $s" >&2; done
echo "  (an unmet dependency drops a symbol silently: see its 'depends on' in Kconfig)" >&2
exit 1
