# A stand-in for buildroot's package infrastructure, enough to evaluate and run
# contrib/buildroot's packages as buildroot would: the variables of package/Makefile.in
# (toolchain, flags, TARGET_CONFIGURE_OPTS, TARGET_MAKE_ENV, HOST_*), and
# generic-package / host-generic-package reduced to their steps (copy the local source,
# build, install, init files, hooks), each with $(@D) the package's build directory as
# in buildroot. Written from buildroot's manual and package/Makefile.in, not copied.
# Used by tests/integration/buildroot.sh:
#   make -f stub.mk OUT=DIR TOOLCHAIN=DIR BR2_...=y northstar|host-northstar
# Not buildroot: no download, no toolchain of its own (TOOLCHAIN holds wrappers of the
# build machine's gcc), libraries other than cJSON come from the build machine.

BR2_EXTERNAL_NORTHSTAR_PATH ?= $(error set BR2_EXTERNAL_NORTHSTAR_PATH)
OUT ?= $(error set OUT)
BASE_DIR := $(OUT)
BUILD_DIR := $(BASE_DIR)/build
HOST_DIR := $(BASE_DIR)/host
STAGING_DIR := $(HOST_DIR)/x86_64-buildroot-linux-gnu/sysroot
TARGET_DIR := $(BASE_DIR)/target
BR_PATH := $(HOST_DIR)/bin:$(HOST_DIR)/sbin:$(PATH)

# Packages of buildroot (checked in its tree) that the external may depend on.
BR_KNOWN_PACKAGES := libseccomp libcap mbedtls libyaml libsodium zlib cjson host-pkgconf \
	host-libcap host-libyaml host-libsodium host-zlib host-cjson

qstrip = $(strip $(subst ",,$(1)))
empty :=
space := $(empty) $(empty)
define sep


endef
INSTALL := install
PARALLEL_JOBS ?= 2
HOSTMAKE := $(MAKE)
override MAKE = $(HOSTMAKE) -j$(PARALLEL_JOBS)

# --- the toolchain, as package/Makefile.in names it --------------------------------------
TARGET_CROSS = $(TOOLCHAIN)/x86_64-buildroot-linux-gnu-
TARGET_CC = $(TARGET_CROSS)gcc
TARGET_CPP = $(TARGET_CROSS)cpp
TARGET_CXX = $(TARGET_CROSS)g++
TARGET_LD = $(TARGET_CROSS)ld
TARGET_AS = $(TARGET_CROSS)as
TARGET_AR = $(TARGET_CROSS)ar
TARGET_NM = $(TARGET_CROSS)nm
TARGET_RANLIB = $(TARGET_CROSS)ranlib
TARGET_READELF = $(TARGET_CROSS)readelf
TARGET_OBJCOPY = $(TARGET_CROSS)objcopy
TARGET_OBJDUMP = $(TARGET_CROSS)objdump
ifeq ($(BR2_STRIP_strip),y)
TARGET_STRIP = $(TARGET_CROSS)strip
else
TARGET_STRIP = /bin/true
endif
HOSTCC ?= gcc
HOSTCXX := g++
HOSTCPP := cpp
HOSTLD := ld
HOSTAR := ar
HOSTAS := as
HOSTNM := nm
HOSTOBJCOPY := objcopy
HOSTRANLIB := ranlib

TARGET_OPTIMIZATION = $(if $(BR2_OPTIMIZE_0),-O0,$(if $(BR2_OPTIMIZE_2),-O2,-Os))
TARGET_DEBUGGING = $(if $(BR2_ENABLE_DEBUG),-g2,-g0)
TARGET_HARDENED = $(if $(BR2_FORTIFY_SOURCE_1),-D_FORTIFY_SOURCE=1) \
	$(if $(BR2_SSP_STRONG),-fstack-protector-strong)
TARGET_CPPFLAGS = -D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64
TARGET_CFLAGS = $(TARGET_CPPFLAGS) $(TARGET_OPTIMIZATION) $(TARGET_DEBUGGING) $(TARGET_HARDENED)
TARGET_LDFLAGS =
ifeq ($(BR2_STATIC_LIBS),y)
TARGET_CFLAGS += -static
TARGET_LDFLAGS += -static
endif
PKG_CONFIG_HOST_BINARY = $(HOST_DIR)/bin/pkg-config

HOST_CPPFLAGS = -I$(HOST_DIR)/include
HOST_CFLAGS = $(if $(BR2_OPTIMIZE_0),-O0,-O2) $(HOST_CPPFLAGS)
HOST_LDFLAGS = -L$(HOST_DIR)/lib -Wl,-rpath,$(HOST_DIR)/lib

TARGET_MAKE_ENV = GIT_DIR=. PATH=$(BR_PATH)
TARGET_CONFIGURE_OPTS = $(TARGET_MAKE_ENV) AR="$(TARGET_AR)" AS="$(TARGET_AS)" \
	LD="$(TARGET_LD)" NM="$(TARGET_NM)" CC="$(TARGET_CC)" GCC="$(TARGET_CC)" \
	CPP="$(TARGET_CPP)" CXX="$(TARGET_CXX)" RANLIB="$(TARGET_RANLIB)" \
	READELF="$(TARGET_READELF)" STRIP="$(TARGET_STRIP)" OBJCOPY="$(TARGET_OBJCOPY)" \
	OBJDUMP="$(TARGET_OBJDUMP)" AR_FOR_BUILD="$(HOSTAR)" CC_FOR_BUILD="$(HOSTCC)" \
	LD_FOR_BUILD="$(HOSTLD)" CFLAGS_FOR_BUILD="$(HOST_CFLAGS)" \
	LDFLAGS_FOR_BUILD="$(HOST_LDFLAGS)" CPPFLAGS="$(TARGET_CPPFLAGS)" \
	CFLAGS="$(TARGET_CFLAGS)" CXXFLAGS="$(TARGET_CFLAGS)" LDFLAGS="$(TARGET_LDFLAGS)" \
	PKG_CONFIG="$(PKG_CONFIG_HOST_BINARY)" STAGING_DIR="$(STAGING_DIR)"
HOST_MAKE_ENV = GIT_DIR=. PATH=$(BR_PATH) PKG_CONFIG="$(PKG_CONFIG_HOST_BINARY)" \
	PKG_CONFIG_SYSROOT_DIR="/" PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 \
	PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 \
	PKG_CONFIG_LIBDIR="$(HOST_DIR)/lib/pkgconfig:$(HOST_DIR)/share/pkgconfig"
HOST_CONFIGURE_OPTS = $(HOST_MAKE_ENV) AR="$(HOSTAR)" AS="$(HOSTAS)" LD="$(HOSTLD)" \
	NM="$(HOSTNM)" CC="$(HOSTCC)" GCC="$(HOSTCC)" CXX="$(HOSTCXX)" CPP="$(HOSTCPP)" \
	OBJCOPY="$(HOSTOBJCOPY)" RANLIB="$(HOSTRANLIB)" CPPFLAGS="$(HOST_CPPFLAGS)" \
	CFLAGS="$(HOST_CFLAGS)" CXXFLAGS="$(HOST_CFLAGS)" LDFLAGS="$(HOST_LDFLAGS)"

# --- the package infrastructure ----------------------------------------------------------
# buildroot names a package after the directory of the .mk being read.
pkgdir = $(dir $(lastword $(MAKEFILE_LIST)))
pkgname = $(lastword $(subst /,$(space),$(pkgdir)))
UPPERCASE = $(shell echo '$(1)' | tr 'a-z-' 'A-Z_')

# stub-package NAME VAR KIND(target|host) TARGETVAR
define stub-package
ifeq ($(3),host)
$(2)_VERSION ?= $$($(4)_VERSION)
$(2)_SITE ?= $$($(4)_SITE)
$(2)_SITE_METHOD ?= $$($(4)_SITE_METHOD)
$(2)_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS ?= $$($(4)_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS)
$(2)_LICENSE ?= $$($(4)_LICENSE)
endif
$(2)_DIR = $$(BUILD_DIR)/$(1)-$$($(2)_VERSION)
$$(if $$($(2)_VERSION),,$$(error $(1): no version))
$$(if $$(filter local,$$($(2)_SITE_METHOD)),,$$(error $(1): the stub knows SITE_METHOD local only))
$$(if $$(wildcard $$($(2)_SITE)/Makefile),,$$(error $(1): SITE '$$($(2)_SITE)' holds no Makefile))
$$(if $$($(2)_LICENSE),,$$(error $(1): no LICENSE))
$$(foreach d,$$($(2)_DEPENDENCIES),$$(if $$(filter $$(d),$$(BR_KNOWN_PACKAGES)),,$$(error $(1): dependency '$$(d)' is no buildroot package)))

# The local method copies the source (buildroot: rsync with the exclusions, VCS left out).
$$($(2)_DIR)/.stamp_rsynced:
	mkdir -p $$(@D)
	tar -C $$($(2)_SITE) --exclude-vcs $$(patsubst --exclude%,--exclude=.%,$$(filter-out --exclude,$$(subst --exclude$$(space),--exclude,$$($(2)_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS)))) -cf - . | tar -C $$(@D) -xf -
	touch $$@
$$($(2)_DIR)/.stamp_built: $$($(2)_DIR)/.stamp_rsynced
	$$($(2)_BUILD_CMDS)
	touch $$@
ifeq ($(3),target)
$$($(2)_DIR)/.stamp_installed: $$($(2)_DIR)/.stamp_built
	mkdir -p $$(TARGET_DIR)
	$$($(2)_INSTALL_TARGET_CMDS)
	$$(if $$(BR2_INIT_SYSTEMD),$$($(2)_INSTALL_INIT_SYSTEMD))
	$$(if $$(BR2_INIT_SYSV)$$(BR2_INIT_BUSYBOX),$$($(2)_INSTALL_INIT_SYSV))
	$$(foreach h,$$($(2)_POST_INSTALL_TARGET_HOOKS),$$(call $$(h))$$(sep))
	touch $$@
else
$$($(2)_DIR)/.stamp_installed: $$($(2)_DIR)/.stamp_built
	mkdir -p $$(HOST_DIR)/bin
	$$($(2)_INSTALL_CMDS)
	touch $$@
endif
.PHONY: $(1)
$(1): $$($(2)_DIR)/.stamp_installed
endef

generic-package = $(call stub-package,$(pkgname),$(call UPPERCASE,$(pkgname)),target)
host-generic-package = $(call stub-package,host-$(pkgname),HOST_$(call UPPERCASE,$(pkgname)),host,$(call UPPERCASE,$(pkgname)))

include $(BR2_EXTERNAL_NORTHSTAR_PATH)/external.mk
