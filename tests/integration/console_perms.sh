#!/bin/sh
# Every one of the 15 permissions missing in turn (P-C1), on the global console (one
# daemon per set) and on containers' consoles (a conrelay container per set): each
# request that needs it is denied with the request echoed and the connection carries
# on (install: the bytes are not drained, so it closes; notifications: the subscription
# is nacked); plain start and start with a command need their own permissions.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
. "$NS_TOP/tests/console_lib.sh"
daemon_init
PERMS="ident inspect install kill list notifications mount repositories shutdown start start_command token_create token_verification umount uninstall"
manifest app 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "true"]
uid: 1000
gid: 1000
EOF2
pack app 0.0.1
cp "$T/app-0.0.1.npk" "$T/repo/"
all_but() {
	printf '['
	ab_sep=""
	for q in $PERMS; do
		[ "$q" = "$1" ] && continue
		printf '%s%s' "$ab_sep" "$q"
		ab_sep=", "
	done
	printf ']'
}
for p in $PERMS; do
	relay_manifest "relay-$p" 0.0.1 "$(all_but "$p")"
	pack "relay-$p" 0.0.1
	cp "$T/relay-$p-0.0.1.npk" "$T/repo/"
done

# --- the global console ------------------------------------------------------------------
write_config
for p in $PERMS; do
	sed -i "s/^    permissions: .*/    permissions: $(all_but "$p")/" "$T/northstar.yaml"
	daemon_start || { t_fail "daemon starts without $p" "$(tail "$T/log")"; continue; }
	suite deny "$p"
	kill -TERM "$DPID"
	daemon_wait
done

# --- containers' consoles ------------------------------------------------------------------
sed -i "s/^    permissions: .*/    permissions: full/" "$T/northstar.yaml"
daemon_start || { t_fail "daemon starts" "$(tail "$T/log")"; t_done; exit 1; }
for p in $PERMS; do
	r=$(C start "relay-$p:0.0.1")
	t_eq "relay-$p starts" "$r" "{\"response\":{\"start\":{\"ok\":{\"container\":\"relay-$p:0.0.1\"}}}}"
	suite relayed "relay-$p:0.0.1" "$p"
	C kill "relay-$p:0.0.1" 9 >/dev/null
done
t_eq "the daemon carries on" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
daemon_stop
t_done
