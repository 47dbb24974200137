#!/bin/sh
# Northstar's scenario suite, installing and mounting (spec tests-and-security.md §1a, mod
# install and mod mount): install/uninstall cycles into memory and directory repositories,
# duplicates across repositories, unknown repositories, capacity limits by number and by
# size, every example NPK, and mount results per container, including a busy resource.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/scenario_lib.sh"
scen_init

ALL_NPKS=$(cd "$NPK" && ls *.npk)
# the ids of every example, apps first (they are unmounted before the resources they use)
ALL_IDS=$(for f in $ALL_NPKS; do
	"$NS_BIN" sextant inspect -s "$NPK/$f" |
		sed -n 's/^name: \([^,]*\), version: \([^,]*\),.*resource container: \(.*\)$/\3 \1:\2/p'
done | sort | cut -d' ' -f2)

scenario install_uninstall_test_container
i=1
while [ $i -le 10 ]; do
	install_test_container
	uninstall_test_container
	i=$((i + 1))
done

scenario install_duplicate
install_test_container
s_expect "the second install fails" 1 "Error: $TC is already installed;" \
	NS install "$NPK/test-container-0.0.1.npk" mem

scenario install_duplicate_other_repository
s_expect "install into mem" 0 "installed" NS install "$NPK/test-container-0.0.1.npk" mem
s_expect "the same container into fs fails" 1 "Error: $TC is already installed;" \
	NS install "$NPK/test-container-0.0.1.npk" fs
s_eq "nothing was written to fs" "$(ls -A "$T/repos/fs")" ""

scenario install_invalid_repository
s_expect "install into whooha: no such repository" 1 \
	"Error: there is no repository 'whooha'" \
	NS install "$NPK/test-container-0.0.1.npk" whooha
s_eq "exactly invalid_repository on the wire" "$(C install "$NPK/test-container-0.0.1.npk" whooha)" \
	'{"response":{"install":{"error":{"error":{"invalid_repository":{"repository":"whooha"}}}}}}'

for kind in mem fs; do
	scenario "install_hit_num_limit_$kind"
	s_expect "the first fits" 0 "installed" \
		NS install "$NPK/test-container-0.0.1.npk" "limited_capacity_num_$kind"
	s_expect "the second is refused" 1 "max number of containers reached" \
		NS install "$NPK/test-resource-0.0.1.npk" "limited_capacity_num_$kind"
	s_eq "one container listed" "$(NS list | tail -n +2 | cut -f1 | tr '\n' ' ')" "test-container "

	scenario "install_hit_size_limit_$kind"
	s_expect "an NPK over 1000 bytes is refused" 1 "size limit reached" \
		NS install "$NPK/test-resource-0.0.1.npk" "limited_capacity_size_$kind"
	s_eq "nothing listed" "$(NS list | tail -n +2)" ""
done
s_eq "nothing was written to the directory" "$(ls -A "$T/repos/limited_capacity_size_fs")" ""

scenario install_uninstall_to_fs_repository
s_expect "test-resource into mem" 0 "installed" NS install "$NPK/test-resource-0.0.1.npk" mem
i=1
while [ $i -le 5 ]; do
	s_expect "round $i: test-container into fs" 0 "installed" \
		NS install "$NPK/test-container-0.0.1.npk" fs
	s_run "round $i: the file is in the directory" test -f "$T/repos/fs/$TC.npk"
	tc sleep
	s_assume "round $i: Sleeping" "test-container:0.0.1: Sleeping\.\.\.$"
	stop $TC
	s_expect "round $i: uninstall" 0 "uninstalled" NS uninstall $TC
	s_run "round $i: the file is gone" test ! -e "$T/repos/fs/$TC.npk"
	i=$((i + 1))
done

scenario uninstall_unknown_container
s_expect "uninstall fckptn:0.0.1: InvalidContainer" 1 \
	"Error: fckptn:0.0.1 is not installed;" NS uninstall fckptn:0.0.1

scenario install_uninstall_examples
for f in $ALL_NPKS; do
	s_expect "install $f" 0 "installed" NS install "$NPK/$f" mem
done
s_eq "all $(echo $ALL_IDS | wc -w) listed" "$(NS list | tail -n +2 | wc -l)" "$(echo $ALL_IDS | wc -w)"
for id in $ALL_IDS; do
	s_expect "uninstall $id (no wipe)" 0 "uninstalled $id" NS uninstall "$id"
done
s_eq "nothing listed" "$(NS list | tail -n +2)" ""

# --- mod mount ---------------------------------------------------------------------------
scenario mount_umount
for f in $ALL_NPKS; do
	NS install "$NPK/$f" mem >/dev/null
done
s_eq "list: every example" "$(NS list | tail -n +2 | wc -l)" "$(echo $ALL_IDS | wc -w)"
NS mount $ALL_IDS >"$T/out" 2>&1
s_eq "mount all: exit 0" "$?" 0
s_eq "mount all: ok for each, resources and applications" \
	"$(tail -n +2 "$T/out" | cut -f2 | sort -u)" "ok"
s_eq "mount all: one result per container" "$(tail -n +2 "$T/out" | wc -l)" "$(echo $ALL_IDS | wc -w)"
s_eq "every container mounted" "$(NS list | tail -n +2 | cut -f5 | sort -u)" "yes"
NS umount $ALL_IDS >"$T/out" 2>&1
s_eq "umount all: exit 0" "$?" 0
s_eq "umount all: ok for each" "$(tail -n +2 "$T/out" | cut -f2 | sort -u)" "ok"
s_eq "nothing mounted" "$(NS list | tail -n +2 | cut -f5 | sort -u)" "no"

scenario try_to_mount_unknown_container
s_eq "the request succeeds with an error result" "$(C mount foo:0.0.1)" \
	'{"response":{"mount":[{"error":{"container":"foo:0.0.1","error":{"invalid_container":{"container":"foo:0.0.1"}}}}]}}'
s_expect "nstar: the result, exit 1" 1 "foo:0.0.1 is not installed;" NS mount foo:0.0.1

scenario try_to_mount_known_and_unknown_container
install_test_container
s_eq "two results: ok and an error" "$(C mount $TR foo:0.0.1)" \
	'{"response":{"mount":[{"ok":{"container":"test-resource:0.0.1"}},{"error":{"container":"foo:0.0.1","error":{"invalid_container":{"container":"foo:0.0.1"}}}}]}}'
s_eq "the resource is mounted" "$(NS inspect $TR | grep '"mounted"')" '  "mounted": true,'

scenario try_to_umount_used_resource
install_test_container
tc sleep
s_assume "Sleeping" "test-container:0.0.1: Sleeping\.\.\.$"
s_eq "umount of the used resource: UmountBusy naming the user" "$(C umount $TR)" \
	'{"response":{"umount":[{"error":{"container":"test-resource:0.0.1","error":{"umount_busy":{"container":"test-container:0.0.1"}}}}]}}'
stop $TC
s_eq "after the stop: ok" "$(C umount $TR)" \
	'{"response":{"umount":[{"ok":{"container":"test-resource:0.0.1"}}]}}'

scen_done
