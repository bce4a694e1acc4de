# SPDX-License-Identifier: GPL-2.0
#
# Top-level build: assembles a private kernel tree from Debian's
# linux-source-6.12 package with our architecture in place of upstream's
# arch/um, configures it and builds ./linux.  See Documentation/build.rst.

TOP		:= $(CURDIR)
# The kernel source comes from Debian's linux-source-6.12; INSTALL_DEPS
# installs it and everything else we need (tests point both elsewhere).
TARBALL		?= /usr/src/linux-source-6.12.tar.xz
INSTALL_DEPS	?= $(TOP)/tools/install-deps
BUILD		?= $(TOP)/build
KSRC		:= $(BUILD)/linux
KOBJ		:= $(BUILD)/obj
KOBJ_DEBUG	:= $(BUILD)/obj-debug
DEFCONFIG	:= $(TOP)/arch-um/configs/host_defconfig
DEBUG_CONFIG	:= $(TOP)/arch-um/configs/host_debug.config
JOBS		?= $(shell nproc)

KMAKE		= $(MAKE) -C $(KSRC) O=$(KOBJ) ARCH=um SUBARCH=x86_64
KMAKE_DEBUG	= $(MAKE) -C $(KSRC) O=$(KOBJ_DEBUG) ARCH=um SUBARCH=x86_64

# The drivers (UM_DRIVERS): one folder each, listed in drivers.mk.
include $(TOP)/drivers.mk

# Our folders, and where the kernel tree sees them.
TREE_LINKS	:= arch/um:arch-um um-host:host-helpers \
		   um-drivers.mk:drivers.mk \
		   $(foreach d,$(UM_DRIVERS),um-$(d):$(d)) \
		   tools/testing/kunit/configs/arch_uml.config:arch-um/configs/kunit_arch.config

.PHONY: all deps tree config kernel kernel-debug tools image run kunit test \
	test-debug bench clean distclean

all: linux tools

# Every target that builds or runs something depends on this, so the first
# command on a bare machine installs the packages (or, for a user who is
# not root, names the one apt-get line to run) before anything needs them.
deps:
	@$(INSTALL_DEPS)

# The tarball is a package's file: when it is missing, installing the
# packages is what makes it.
$(TARBALL): | deps
	@test -f $@ || { echo "$@ is still missing after $(INSTALL_DEPS)" >&2; exit 1; }

# Unpack once; the stamp records that arch/um and arch/x86/um are gone.
$(KSRC)/.assembled: $(TARBALL) | deps
	rm -rf $(KSRC) $(BUILD)/unpack
	mkdir -p $(BUILD)/unpack
	tar -C $(BUILD)/unpack -xf $(TARBALL)
	mv $(BUILD)/unpack/linux-source-6.12 $(KSRC)
	rmdir $(BUILD)/unpack
	rm -rf $(KSRC)/arch/um $(KSRC)/arch/x86/um
	touch $@

# Link our folders in, again whenever the list changes (a driver added or
# removed: its um-NAME link comes or goes).  Relative links keep the tree
# valid if the checkout moves.
$(KSRC)/.linked: $(KSRC)/.assembled $(TOP)/Makefile $(TOP)/drivers.mk
	find $(KSRC) -maxdepth 1 -name 'um-*' -type l -delete
	for l in $(TREE_LINKS); do \
		ln -sfnr $(TOP)/$${l#*:} $(KSRC)/$${l%%:*}; \
	done
	touch $@

tree: $(KSRC)/.linked

$(KOBJ)/.config: $(DEFCONFIG) $(KSRC)/.assembled | deps $(KSRC)/.linked
	mkdir -p $(KOBJ)
	$(KMAKE) host_defconfig

config: $(KOBJ)/.config

kernel: $(KOBJ)/.config $(KSRC)/.linked deps
	$(KMAKE) -j$(JOBS) linux

# Installed by rename, so that guests still running the old program keep it.
linux: kernel
	@cmp -s $(KOBJ)/linux $@ || \
		{ cp $(KOBJ)/linux $@.new && mv -f $@.new $@; }

# The debug build: the same kernel with SLUB debugging, lockdep, list and
# VM checks and fault injection (arch-um/configs/host_debug.config), in its
# own folder, as ./linux-debug.  Documentation/debugging.rst.
$(KOBJ_DEBUG)/.config: $(DEFCONFIG) $(DEBUG_CONFIG) $(KSRC)/.assembled | deps \
			 $(KSRC)/.linked
	mkdir -p $(KOBJ_DEBUG)
	$(KMAKE_DEBUG) host_defconfig host_debug.config

kernel-debug: $(KOBJ_DEBUG)/.config $(KSRC)/.linked deps
	$(KMAKE_DEBUG) -j$(JOBS) linux

linux-debug: kernel-debug
	@cmp -s $(KOBJ_DEBUG)/linux $@ || \
		{ cp $(KOBJ_DEBUG)/linux $@.new && mv -f $@.new $@; }

# Host commands in C (tools/ubd-cow).
tools: deps
	$(MAKE) -C tools

# KUnit through the kernel's own tool, against our tree and port.
# The architecture's own KUnit options replace upstream's UML ones.
KUNIT_ARCH_CONFIG := $(KSRC)/tools/testing/kunit/configs/arch_uml.config

kunit: $(KSRC)/.linked | deps
	ln -sfnr $(TOP)/arch-um/configs/kunit_arch.config $(KUNIT_ARCH_CONFIG)
	cd $(KSRC) && python3 tools/testing/kunit/kunit.py run --arch=um \
		--build_dir=$(BUILD)/kunit --jobs=$(JOBS) $(KUNIT_ARGS)

# The default root image: Debian's busybox-static on ext4, built without
# root privileges (tools/mkrootimg).  Made once; delete it to remake it.
root.img: | deps tools
	$(TOP)/tools/mkrootimg -o $@ -s 256M

image: root.img

# Build everything, make the default image, boot it with a shell.
run: linux tools root.img
	$(TOP)/linux ubd0=root.img mem=512M

test: deps linux tools
	$(TOP)/tests/run

# The whole suite on the debug build.
test-debug: deps linux-debug tools
	DEBUG_KERNEL=1 $(TOP)/tests/run

bench: deps linux
	$(TOP)/tests/bench/boot.sh

clean:
	rm -rf $(KOBJ) $(KOBJ_DEBUG) $(BUILD)/kunit linux linux-debug
	$(MAKE) -C tools clean

distclean:
	rm -rf $(BUILD) linux linux-debug root.img
