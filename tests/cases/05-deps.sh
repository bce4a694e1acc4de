# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The first command on a bare machine: make must install the packages
# (tools/install-deps) before anything needs them, above all the kernel
# tarball, and a user who cannot install them gets the one apt-get line to
# run.  The Makefile's TARBALL, INSTALL_DEPS and BUILD point it at a
# missing tarball, a stand-in installer and a scratch build folder, so
# nothing of this machine's is touched.  Sourced by tests/run.

# deps_installer DIR MODE: write DIR/install, a stand-in for
# tools/install-deps that notes each run in DIR/runs and, in MODE "ok",
# makes the tarball the way the package would; in MODE "refuse" it fails
# as install-deps does for a user who is not root.
deps_installer() {
	local dir=$1 mode=$2
	cat >"$dir/install" <<EOF
#!/bin/sh
echo run >>"$dir/runs"
if [ "$mode" = refuse ]; then
	echo "missing packages: linux-source-6.12" >&2
	echo "install them with:" >&2
	echo "  sudo apt-get install -y linux-source-6.12" >&2
	exit 1
fi
mkdir -p "$dir/src/linux-source-6.12/arch/um" \
	"$dir/src/linux-source-6.12/arch/x86/um" \
	"$dir/src/linux-source-6.12/tools/testing/kunit/configs"
echo "# stand-in kernel tree" >"$dir/src/linux-source-6.12/Makefile"
tar -C "$dir/src" -cJf "$dir/linux-source-6.12.tar.xz" linux-source-6.12
EOF
	chmod +x "$dir/install"
}

# make_tree DIR: make's "tree" target with everything pointed into DIR.
make_tree() {
	local dir=$1
	make -C "$TOP" --no-print-directory TARBALL="$dir/linux-source-6.12.tar.xz" \
		INSTALL_DEPS="$dir/install" BUILD="$dir/build" tree \
		>"$dir/make.log" 2>&1
}

deps_fresh_machine() {
	local dir=$TEST_DIR/deps-fresh why=()
	mkdir -p "$dir"
	deps_installer "$dir" ok
	CHECK_LOGS=("$dir/make.log")
	make_tree "$dir" || why+=("make failed")
	[ -s "$dir/runs" ] || why+=("the installer never ran")
	[ -f "$dir/build/linux/Makefile" ] ||
		why+=("the tarball the installer made was not unpacked")
	[ -L "$dir/build/linux/arch/um" ] || why+=("arch/um is not our link")
	verdict deps-installed-before-the-tarball-is-needed "${why[@]}"
}

deps_refused() {
	local dir=$TEST_DIR/deps-refused why=()
	mkdir -p "$dir"
	deps_installer "$dir" refuse
	CHECK_LOGS=("$dir/make.log")
	if make_tree "$dir"; then
		why+=("make succeeded without the packages")
	fi
	grep -q 'apt-get install -y linux-source-6.12' "$dir/make.log" ||
		why+=("no apt-get line for the user")
	[ -e "$dir/build/linux" ] && why+=("a tree was made anyway")
	verdict deps-refused-names-the-apt-get-line "${why[@]}"
}

# The real tools/install-deps as an ordinary user on a machine missing
# everything (a dpkg-query that knows no package): exit 1, one apt-get
# line naming them all.
deps_as_user() {
	local dir=$TEST_DIR/deps-user out status why=()
	mkdir -p "$dir/bin"
	printf '#!/bin/sh\nexit 1\n' >"$dir/bin/dpkg-query"
	chmod 755 "$dir" "$dir/bin" "$dir/bin/dpkg-query"
	out=$("${AS_GUEST[@]}" env PATH="$dir/bin:$PATH" "$TOP/tools/install-deps" 2>&1)
	status=$?
	[ "$status" -eq 1 ] || why+=("exit status $status, want 1")
	echo "$out" | grep -q '^  sudo apt-get install -y linux-source-6.12 .*libaio-dev' ||
		why+=("no single apt-get line naming the packages: $out")
	verdict deps-as-user-prints-the-apt-get-line "${why[@]}"
}

deps_fresh_machine
deps_refused
deps_as_user
