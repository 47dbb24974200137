################################################################################
#
# northstar
#
################################################################################

# The package builds the tree this BR2_EXTERNAL lives in (contrib/buildroot/../..).
NORTHSTAR_SITE = $(realpath $(BR2_EXTERNAL_NORTHSTAR_PATH)/../..)
NORTHSTAR_SITE_METHOD = local
NORTHSTAR_VERSION = $(shell sed -n 's/^\#define NS_VERSION "\(.*\)"/\1/p' \
	$(NORTHSTAR_SITE)/applets/applet.h)
# The source tree's own build products stay out of buildroot's copy.
NORTHSTAR_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = --exclude /build --exclude /br-build
NORTHSTAR_LICENSE = Apache-2.0
NORTHSTAR_LICENSE_FILES = LICENSE
NORTHSTAR_DEPENDENCIES = host-pkgconf libseccomp libcap mbedtls libyaml libsodium zlib cjson
HOST_NORTHSTAR_DEPENDENCIES = host-pkgconf host-libcap host-libyaml host-libsodium \
	host-zlib host-cjson

# buildroot's cjson is a library (<cjson/cJSON.h>, libcjson.pc): USE_SYSTEM_CJSON=1.
# -Werror is for the project's own builds, not for a compiler it has not seen.
# BR2_STATIC_LIBS puts -static in TARGET_LDFLAGS, which gcc refuses beside -static-pie:
# the link mode is LINK's.
NORTHSTAR_APPLETS = northstard ns-init \
	$(if $(BR2_PACKAGE_NORTHSTAR_NSTAR),nstar) \
	$(if $(BR2_PACKAGE_NORTHSTAR_SEXTANT),sextant)
NORTHSTAR_MAKE_OPTS = \
	$(TARGET_CONFIGURE_OPTS) \
	LDFLAGS="$(filter-out -static,$(TARGET_LDFLAGS))" \
	LINK=$(if $(BR2_PACKAGE_NORTHSTAR_STATIC_PIE),static-pie,static) \
	USE_SYSTEM_CJSON=1 \
	WERROR= \
	BUILD=$(@D)/br-build \
	PREFIX=/usr \
	INSTALL_APPLETS="$(strip $(NORTHSTAR_APPLETS))"

define NORTHSTAR_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(NORTHSTAR_MAKE_OPTS) all
endef

define NORTHSTAR_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(NORTHSTAR_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) INIT=none install
endef

ifneq ($(call qstrip,$(BR2_PACKAGE_NORTHSTAR_CONFIG)),)
define NORTHSTAR_INSTALL_CONFIG
	$(INSTALL) -D -m 0644 $(call qstrip,$(BR2_PACKAGE_NORTHSTAR_CONFIG)) \
		$(TARGET_DIR)/etc/northstar/northstar.yaml
endef
NORTHSTAR_POST_INSTALL_TARGET_HOOKS += NORTHSTAR_INSTALL_CONFIG
endif

define NORTHSTAR_INSTALL_INIT_SYSV
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(NORTHSTAR_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) INITSCRIPT=S60northstard install-sysv
endef

define NORTHSTAR_INSTALL_INIT_SYSTEMD
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(NORTHSTAR_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) install-systemd
endef

# The build machine's sextant: a dynamic binary on buildroot's host libraries (shared
# ones), installed as $(HOST_DIR)/bin/northstar with the sextant link.
HOST_NORTHSTAR_MAKE_OPTS = \
	$(HOST_CONFIGURE_OPTS) \
	LINK=dynamic \
	USE_SYSTEM_CJSON=1 \
	WERROR= \
	BUILD=$(@D)/br-build

define HOST_NORTHSTAR_BUILD_CMDS
	$(HOST_MAKE_ENV) $(MAKE) -C $(@D) $(HOST_NORTHSTAR_MAKE_OPTS) all
endef

define HOST_NORTHSTAR_INSTALL_CMDS
	$(INSTALL) -D -m 0755 $(@D)/br-build/northstar $(HOST_DIR)/bin/northstar
	ln -sf northstar $(HOST_DIR)/bin/sextant
endef

$(eval $(generic-package))
$(eval $(host-generic-package))
