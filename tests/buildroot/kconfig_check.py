"""Parses contrib/buildroot's Config.in files with kconfiglib under a stub of the
buildroot symbols they use, and checks what a buildroot user would see.
Prints TAP lines (no plan); tests/integration/buildroot.sh runs it.
  kconfig_check.py EXTERNAL_DIR WORKDIR"""
import os
import sys

import kconfiglib

ext, work = sys.argv[1], sys.argv[2]
# The buildroot symbols the external uses, each verified to exist in buildroot's tree.
BR_SYMBOLS = """BR2_USE_MMU BR2_TOOLCHAIN_HAS_THREADS BR2_PACKAGE_LIBSECCOMP_ARCH_SUPPORTS
BR2_TOOLCHAIN_HEADERS_AT_LEAST_3_17 BR2_STATIC_LIBS BR2_SHARED_STATIC_LIBS BR2_SHARED_LIBS
BR2_PACKAGE_LIBSECCOMP BR2_PACKAGE_LIBCAP BR2_PACKAGE_MBEDTLS BR2_PACKAGE_LIBYAML
BR2_PACKAGE_LIBSODIUM BR2_PACKAGE_ZLIB BR2_PACKAGE_CJSON""".split()
n = 0


def tap(ok, name, diag=""):
    global n
    n += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (n, name))
    if not ok and diag:
        for line in str(diag).splitlines():
            print("  # " + line)


top = os.path.join(work, "Kconfig")
with open(top, "w") as f:
    f.write('mainmenu "stub of buildroot"\n')
    for s in BR_SYMBOLS:
        f.write('config %s\n\tbool "%s"\n' % (s, s))
    # as buildroot's generated .br2-external.in does
    f.write('menu "External options"\nsource "$BR2_EXTERNAL_NORTHSTAR_PATH/Config.in"\nendmenu\n')
os.environ["BR2_EXTERNAL_NORTHSTAR_PATH"] = ext

try:
    kconf = kconfiglib.Kconfig(top, warn_to_stderr=False)
    tap(True, "kconfig: the external's Config.in files parse")
except kconfiglib.KconfigError as e:
    tap(False, "kconfig: the external's Config.in files parse", e)
    sys.exit(0)

tap(not kconf.warnings, "kconfig: no warnings", "\n".join(kconf.warnings))
# (MODULES is kconfiglib's own placeholder)
undef = sorted(s.name for s in kconf.syms.values() if not s.nodes and s.name != "MODULES")
tap(not undef, "kconfig: every symbol referenced is defined (buildroot's or ours)", undef)
ours = [s for s in kconf.unique_defined_syms if s.name not in BR_SYMBOLS]
names = sorted(s.name for s in ours)
tap(names == sorted(["BR2_PACKAGE_NORTHSTAR", "BR2_PACKAGE_NORTHSTAR_STATIC_PIE",
                     "BR2_PACKAGE_NORTHSTAR_NSTAR", "BR2_PACKAGE_NORTHSTAR_SEXTANT",
                     "BR2_PACKAGE_NORTHSTAR_CONFIG", "BR2_PACKAGE_HOST_NORTHSTAR"]),
    "kconfig: the options are BR2_PACKAGE_NORTHSTAR* and BR2_PACKAGE_HOST_NORTHSTAR", names)
bad = [s.name for s in ours if not all(node.prompt and node.help for node in s.nodes)]
tap(not bad, "kconfig: every option has a prompt and a help text", bad)
long = ["%s: %s" % (s.name, line) for s in ours for node in s.nodes
        for line in (node.help or "").splitlines() if len(line) > 62]
tap(not long, "kconfig: help lines fit buildroot's 62 columns", "\n".join(long))


def config(**vals):
    for s in BR_SYMBOLS:
        kconf.syms[s].set_value(2 if vals.get(s) else 0)
    for s in ours:
        s.unset_value()


sym = kconf.syms
ok_env = dict(BR2_USE_MMU=1, BR2_TOOLCHAIN_HAS_THREADS=1, BR2_PACKAGE_LIBSECCOMP_ARCH_SUPPORTS=1,
              BR2_TOOLCHAIN_HEADERS_AT_LEAST_3_17=1, BR2_STATIC_LIBS=1)
config(**ok_env)
tap(sym["BR2_PACKAGE_NORTHSTAR"].set_value(2), "kconfig: northstar can be chosen with static libraries")
sel = [s for s in ("LIBSECCOMP", "LIBCAP", "MBEDTLS", "LIBYAML", "LIBSODIUM", "ZLIB", "CJSON")
       if sym["BR2_PACKAGE_" + s].tri_value != 2]
tap(not sel, "kconfig: choosing it selects its libraries", sel)
defaults = (sym["BR2_PACKAGE_NORTHSTAR_STATIC_PIE"].str_value, sym["BR2_PACKAGE_NORTHSTAR_NSTAR"].str_value,
            sym["BR2_PACKAGE_NORTHSTAR_SEXTANT"].str_value, sym["BR2_PACKAGE_NORTHSTAR_CONFIG"].str_value)
tap(defaults == ("y", "y", "n", ""), "kconfig: defaults static-pie y, nstar y, sextant n, config empty",
    defaults)
cfg = os.path.join(work, "dot-config")
kconf.write_config(cfg)
written = open(cfg).read()
tap("BR2_PACKAGE_NORTHSTAR=y" in written and "BR2_PACKAGE_NORTHSTAR_NSTAR=y" in written,
    "kconfig: a .config is written with the choices", written[-400:])

env = dict(ok_env, BR2_STATIC_LIBS=0, BR2_SHARED_LIBS=1)
config(**env)
sym["BR2_PACKAGE_NORTHSTAR"].set_value(2)
tap(sym["BR2_PACKAGE_NORTHSTAR"].tri_value == 0, "kconfig: not with shared libraries only")
comments = [node for node in kconf.node_iter() if node.item == kconfiglib.COMMENT and
            "northstar" in node.prompt[0] and kconfiglib.expr_value(node.dep)]
tap(len(comments) == 1, "kconfig: then a comment says what it needs")
config(**dict(ok_env, BR2_STATIC_LIBS=0, BR2_SHARED_STATIC_LIBS=1))
tap(sym["BR2_PACKAGE_NORTHSTAR"].set_value(2), "kconfig: with shared and static libraries")
for miss in ("BR2_TOOLCHAIN_HAS_THREADS", "BR2_TOOLCHAIN_HEADERS_AT_LEAST_3_17",
             "BR2_PACKAGE_LIBSECCOMP_ARCH_SUPPORTS", "BR2_USE_MMU"):
    config(**dict(ok_env, **{miss: 0}))
    sym["BR2_PACKAGE_NORTHSTAR"].set_value(2)
    tap(sym["BR2_PACKAGE_NORTHSTAR"].tri_value == 0, "kconfig: not without " + miss)
config()
tap(sym["BR2_PACKAGE_HOST_NORTHSTAR"].set_value(2), "kconfig: host northstar needs nothing chosen")
