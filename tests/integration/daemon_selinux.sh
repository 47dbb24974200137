#!/bin/sh
# The manifest's SELinux contexts. Without SELinux (this host) both are ignored with a
# log line and the container runs. With SELinux "enabled" (a daemon that sees a
# /sys/fs/selinux/enforce planted in its own mount namespace) the exec context reaches
# ns-init, which writes it to /proc/thread-self/attr/exec: this kernel has no SELinux,
# so the write fails and the start fails naming the context, which shows the context
# is applied and not dropped. The VM boots with SELinux (no policy loaded) and sees the
# context take effect at the application's exec (tests/vm/daemon_cgroup.test.sh).
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init
if [ -d /sys/fs/selinux ]; then
	t_skip "SELinux" "this host has SELinux enabled: the planted enforce file would lie"
	t_done
	exit 0
fi

manifest labelled 0.0.1 <<'EOF'
init: /bin/sh
args: [-c, "echo running"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
selinux:
  mount_context: system_u:object_r:container_file_t:s0
  exec: system_u:system_r:container_t:s0
EOF
pack labelled 0.0.1
sed -e 's/^name: labelled/name: execonly/' -e '/mount_context/d' "$T/labelled-0.0.1.yaml" \
	>"$T/execonly-0.0.1.yaml"
pack execonly 0.0.1

write_config
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
C install "$T/labelled-0.0.1.npk" default >/dev/null
C install "$T/execonly-0.0.1.npk" default >/dev/null
t_eq "no SELinux: the container runs" "$(C run labelled:0.0.1)" '{"exit":{"code":0}}'
t_run "no SELinux: the mount context is ignored with a log line" \
	grep -q "SELinux is not enabled: the mount context of labelled:0.0.1 is ignored" "$T/log"
t_run "no SELinux: the exec context is ignored with a log line" \
	grep -q "SELinux is not enabled: the exec context of labelled:0.0.1 is ignored" "$T/log"
daemon_stop

# A daemon that believes SELinux is enabled: /sys/fs is a tmpfs of its own, with the
# cgroup hierarchies moved back in and a planted selinux/enforce.
cat >"$T/fakese" <<EOF
#!/bin/sh
exec unshare -m $NS_UNSHARE_PROP sh -c '$NS_PRIVATE_MOUNTS &&
	mkdir -p "$T/cg" && mount --rbind /sys/fs/cgroup "$T/cg" &&
	mount -t tmpfs tmpfs /sys/fs && mkdir /sys/fs/cgroup /sys/fs/selinux &&
	mount --move "$T/cg" /sys/fs/cgroup && echo 1 >/sys/fs/selinux/enforce &&
	exec "\$0" "\$@"' "$NS_BIN" "\$@"
EOF
chmod +x "$T/fakese"
NS_BIN_SAVED=$NS_BIN
NS_BIN=$T/fakese
daemon_start || { t_fail "daemon starts with a planted SELinux" "$(cat "$T/log")"; t_done; exit 1; }
NS_BIN=$NS_BIN_SAVED
out=$(C start execonly:0.0.1)
case $out in
*'"start_container_failed":{"container":"execonly:0.0.1","error":"SELinux exec context '"'system_u:system_r:container_t:s0'"': Invalid argument"'*)
	t_ok "SELinux enabled: ns-init applies the exec context (refused by this kernel: no SELinux)" ;;
*) t_fail "SELinux enabled: ns-init applies the exec context" "$out" ;;
esac
t_eq "SELinux enabled: the daemon survived it" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
daemon_stop
t_eq "shutdown: exit 0" "$?" 0
t_done
