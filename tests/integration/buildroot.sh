#!/bin/sh
# contrib/buildroot, the BR2_EXTERNAL tree, without buildroot (which cannot be fetched
# here): its Config.in files parsed by kconfiglib under a stub of buildroot's symbols
# (tests/buildroot/kconfig_check.py), and its .mk evaluated by GNU make under a stub of
# buildroot's package infrastructure and variables (tests/buildroot/stub.mk), whose build
# and install steps then run with wrappers of the build machine's gcc as the "cross"
# toolchain, a staging directory holding cJSON as buildroot's cjson package installs
# it, and fake target and host directories. docs/integration.md says what this does not
# cover.
. "$NS_TOP/tests/lib.sh"
cd "$NS_TOP" || exit 1
EXT=$NS_TOP/contrib/buildroot
T=$(mktemp -d /tmp/ns-buildroot.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM

# --- Config.in ---------------------------------------------------------------------------
py=""
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import kconfiglib' 2>/dev/null; then
		py=$p
		break
	fi
done
if [ -n "$py" ]; then
	mkdir -p "$T/kconfig"
	"$py" tests/buildroot/kconfig_check.py "$EXT" "$T/kconfig" >"$T/kconfig.tap" 2>&1
	# renumber its TAP lines into ours
	while IFS= read -r line; do
		case "$line" in
		"ok "*) t_ok "${line#ok * - }" ;;
		"not ok "*) t_fail "${line#not ok * - }" ;;
		*) echo "$line" ;;
		esac
	done <"$T/kconfig.tap"
else
	t_skip "kconfig" "python3-kconfiglib missing (make deps)"
fi
t_expect "external.desc names NORTHSTAR" 0 "name: NORTHSTAR" cat "$EXT/external.desc"

# --- a toolchain, staging and host directory as buildroot would have them ----------------
CJSON=$(ls -d "$NS_BUILD"/deps/cjson-*/ 2>/dev/null | head -n 1)
if [ -z "$CJSON" ]; then
	t_skip "package build" "cJSON's source is missing in $NS_BUILD/deps (make deps)"
	t_done
	exit
fi
OUT=$T/out TC=$T/toolchain
HOST=$OUT/host STAGING=$OUT/host/x86_64-buildroot-linux-gnu/sysroot
mkdir -p "$TC" "$HOST/bin" "$STAGING/usr/lib/pkgconfig" "$STAGING/usr/include/cjson" \
	"$HOST/lib/pkgconfig" "$HOST/include/cjson"
# Each tool logs its command line: the package must use these, not the build machine's.
for tool in gcc cpp g++ ld as ar nm ranlib readelf strip objcopy objdump; do
	cat >"$TC/x86_64-buildroot-linux-gnu-$tool" <<W
#!/bin/sh
echo "$tool \$*" >>"$T/toolchain.log"
exec $tool "\$@"
W
	chmod +x "$TC/x86_64-buildroot-linux-gnu-$tool"
done
printf '#!/bin/sh\necho "hostgcc $*" >>"%s"\nexec gcc "$@"\n' "$T/toolchain.log" >"$TC/host-gcc"
chmod +x "$TC/host-gcc"

# cJSON as buildroot's cjson (cmake) package installs it into staging and host.
cc -O2 -c "$CJSON/cJSON.c" -o "$T/cJSON.o" && ar rcs "$STAGING/usr/lib/libcjson.a" "$T/cJSON.o"
cp "$CJSON/cJSON.h" "$STAGING/usr/include/cjson/"
cp "$STAGING/usr/lib/libcjson.a" "$HOST/lib/" && cp "$CJSON/cJSON.h" "$HOST/include/cjson/"
pc() {
	printf 'prefix=%s\nlibdir=${prefix}/lib\nincludedir=${prefix}/include\n\nName: cJSON\n' "$1"
	printf 'Description: cJSON\nVersion: 1.7.15\nLibs: -L${libdir} -lcjson\n'
	printf 'Cflags: -I${includedir} -I${includedir}/cjson\n'
}
pc /usr >"$STAGING/usr/lib/pkgconfig/libcjson.pc"
pc "$HOST" >"$HOST/lib/pkgconfig/libcjson.pc"
# buildroot's pkg-config wrapper: the staging directory as sysroot, its .pc files only
# (static linking adds --static); HOST_MAKE_ENV overrides both for host packages.
cat >"$HOST/bin/pkg-config" <<W
#!/bin/sh
PKG_CONFIG_LIBDIR=\${PKG_CONFIG_LIBDIR:-$STAGING/usr/lib/pkgconfig} \\
PKG_CONFIG_SYSROOT_DIR=\${PKG_CONFIG_SYSROOT_DIR:-$STAGING} \\
PKG_CONFIG_SYSTEM_INCLUDE_PATH=$STAGING/usr/include \\
exec /usr/bin/pkg-config --static "\$@"
W
chmod +x "$HOST/bin/pkg-config"

# -O0 (BR2_OPTIMIZE_0) for time: what is tested is how the flags and steps flow, and
# optimised builds are the rest of the suite's.
br() { make --no-print-directory -f tests/buildroot/stub.mk OUT="$OUT" TOOLCHAIN="$TC" \
	HOSTCC="$TC/host-gcc" BR2_OPTIMIZE_0=y \
	BR2_EXTERNAL_NORTHSTAR_PATH="$EXT" "$@" >>"$T/br.log" 2>&1; }

# --- the target package: static libraries, strip, fortify 1, busybox init ---------------
t0=$(date +%s)
if br BR2_STATIC_LIBS=y BR2_STRIP_strip=y BR2_FORTIFY_SOURCE_1=y BR2_SSP_STRONG=y \
	BR2_INIT_BUSYBOX=y BR2_PACKAGE_NORTHSTAR=y BR2_PACKAGE_NORTHSTAR_STATIC_PIE=y \
	BR2_PACKAGE_NORTHSTAR_NSTAR=y BR2_PACKAGE_NORTHSTAR_CONFIG="\"$NS_TOP/config/minimal.yaml\"" \
	northstar; then
	t_ok "northstar: builds and installs ($(($(date +%s) - t0)) s)"
else
	t_fail "northstar: builds and installs" "$(tail -n 30 "$T/br.log")"
fi
TD=$OUT/target
got=$(cd "$TD" 2>/dev/null && find . ! -type d | sort | tr '\n' ' ')
t_eq "northstar: the target's files" "$got" "./etc/init.d/S60northstard \
./etc/northstar/northstar.yaml ./usr/bin/northstar ./usr/bin/nstar ./usr/sbin/northstard \
./usr/sbin/ns-init ./usr/share/bash-completion/completions/nstar \
./usr/share/fish/vendor_completions.d/nstar.fish ./usr/share/man/man1/nstar.1 \
./usr/share/man/man8/northstard.8 ./usr/share/man/man8/ns-init.8 \
./usr/share/zsh/site-functions/_nstar "
t_expect "northstar: BR2_PACKAGE_NORTHSTAR_CONFIG is the installed configuration" 0 "" \
	cmp config/minimal.yaml "$TD/etc/northstar/northstar.yaml"
t_expect "northstar: the init script runs the installed daemon" 0 "DAEMON=/usr/sbin/northstard" \
	cat "$TD/etc/init.d/S60northstard"
b=$TD/usr/bin/northstar
t_eq "northstar: static-pie, stripped" "$(readelf -h "$b" | sed -n 's/^ *Type: *\([A-Z]*\).*/\1/p') \
$(readelf -l "$b" | grep -c INTERP) $(readelf -S "$b" | grep -c '\.symtab')" "DYN 0 0"
t_expect "northstar: the target binary runs (host = target here)" 0 "northstard (northstar)" \
	"$TD/usr/sbin/northstard" --version
log=$T/toolchain.log
t_expect "northstar: compiled with the toolchain's gcc" 0 "" grep -q '^gcc .*-c applets/main.c' "$log"
t_expect "northstar: archived with the toolchain's ar" 0 "" grep -q '^ar rcs' "$log"
t_expect "northstar: stripped with the toolchain's strip" 0 "" grep -q "^strip $b\$" "$log"
t_expect "northstar: buildroot's flags reach the compiler (fortify 1, -O0, no -Werror)" 0 "" \
	sh -c "grep '^gcc .*-c applets/main.c' '$log' | grep -- '-D_FORTIFY_SOURCE=1' | grep -- '-O0' | grep -qv -- '-Werror'"
t_expect "northstar: our _FORTIFY_SOURCE=2 steps aside" 1 "" grep -q '^gcc .*_FORTIFY_SOURCE=2' "$log"
t_expect "northstar: links buildroot's libcjson, compiles no cJSON.c" 0 "" \
	sh -c "grep -q '^gcc .*-static-pie.*-L$STAGING/usr/lib -lcjson' '$log' && ! grep -q 'cJSON.c' '$log'"
t_expect "northstar: the source copy leaves out the tree's build/" 1 "" \
	test -e "$OUT/build/northstar-0.1.0/build"

# --- variant: systemd, no strip, plain static, sextant and no nstar ---------------------
rm -rf "$TD" "$OUT/build/northstar-0.1.0/.stamp_built" "$OUT/build/northstar-0.1.0/.stamp_installed" \
	"$OUT/build/northstar-0.1.0/br-build/northstar"
if br BR2_STATIC_LIBS=y BR2_INIT_SYSTEMD=y BR2_PACKAGE_NORTHSTAR=y \
	BR2_PACKAGE_NORTHSTAR_SEXTANT=y northstar; then
	t_ok "northstar (systemd, static, sextant): builds and installs"
else
	t_fail "northstar (systemd, static, sextant): builds and installs" "$(tail -n 30 "$T/br.log")"
fi
got=$(cd "$TD" 2>/dev/null && find . ! -type d | sort | tr '\n' ' ')
t_eq "northstar (systemd, static, sextant): the target's files" "$got" \
	"./etc/northstar/northstar.yaml ./usr/bin/northstar ./usr/bin/sextant \
./usr/lib/systemd/system/northstard.service ./usr/sbin/northstard ./usr/sbin/ns-init \
./usr/share/man/man1/sextant.1 ./usr/share/man/man8/northstard.8 ./usr/share/man/man8/ns-init.8 "
t_eq "northstar (systemd, static, sextant): plain static, not stripped (BR2_STRIP_none)" \
	"$(readelf -h "$b" | sed -n 's/^ *Type: *\([A-Z]*\).*/\1/p') $(readelf -S "$b" | grep -c '\.symtab')" \
	"EXEC 1"
t_expect "northstar (systemd, static, sextant): the sample configuration" 0 "" \
	cmp config/northstar.yaml "$TD/etc/northstar/northstar.yaml"

# --- the host package: sextant for the build machine -----------------------------------
t0=$(date +%s)
if br host-northstar; then
	t_ok "host-northstar: builds and installs ($(($(date +%s) - t0)) s)"
else
	t_fail "host-northstar: builds and installs" "$(tail -n 30 "$T/br.log")"
fi
t_eq "host-northstar: sextant links to the host binary" "$(readlink "$HOST/bin/sextant")" northstar
if "$HOST/bin/sextant" gen-key -n k -o "$T" >/dev/null 2>&1 && [ -s "$T/k.key" ] && [ -s "$T/k.pub" ]; then
	t_ok "host-northstar: sextant makes a key pair"
else
	t_fail "host-northstar: sextant makes a key pair" "$("$HOST/bin/sextant" gen-key -n k -o "$T" 2>&1)"
fi
t_expect "host-northstar: linked by the host compiler, dynamically, on the host's libcjson" 0 "" \
	sh -c "grep '^hostgcc .*-o .*br-build/northstar ' '$log' | grep -- '-rpath,$HOST/lib' | grep -q -- '-L$HOST/lib -lcjson'"
t_expect "host-northstar: a dynamic binary" 0 "INTERP" readelf -l "$HOST/bin/northstar"
t_done
