# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Debian source packages for the autopkgtest runs, fetched through a
# private apt configuration (deb-src lines of the host's suite, lists and
# downloads under APT_SOURCE_DIR) so that the host's own apt setup is not
# touched, and unpacked there once.

APT_SOURCE_DIR=${APT_SOURCE_DIR:-$TOP/build/apt-src}

# apt_source_tree PKG: prints the unpacked source tree of PKG, fetching and
# unpacking it the first time.  Returns 1 when it cannot.
apt_source_tree() {
	local pkg=$1 d=$APT_SOURCE_DIR tree dsc
	local apto=(-o "Dir::Etc::SourceList=$d/etc/sources.list"
		    -o Dir::Etc::SourceParts=/nonexistent
		    -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache")
	tree=$(find "$d/tree" -maxdepth 1 -type d -name "${pkg}_*" 2>/dev/null | head -n1)
	if [ -n "$tree" ]; then
		echo "$tree"
		return 0
	fi
	mkdir -p "$d/etc" "$d/lists/partial" "$d/cache/archives/partial" \
		"$d/src" "$d/tree" || return 1
	if [ ! -s "$d/etc/sources.list" ]; then
		# shellcheck disable=SC1091
		. /etc/os-release
		echo "deb-src http://deb.debian.org/debian ${VERSION_CODENAME:-bookworm} main" \
			>"$d/etc/sources.list"
	fi
	if ! ls "$d/lists/"*Sources* >/dev/null 2>&1; then
		apt-get "${apto[@]}" update >/dev/null 2>&1 || return 1
	fi
	(cd "$d/src" && apt-get "${apto[@]}" source --download-only "$pkg" \
		>/dev/null 2>&1) || return 1
	dsc=$(find "$d/src" -maxdepth 1 -name "${pkg}_*.dsc" | head -n1)
	[ -n "$dsc" ] || return 1
	tree=$d/tree/$(basename "$dsc" .dsc)
	dpkg-source --no-check -x "$dsc" "$tree" >/dev/null 2>&1 || return 1
	echo "$tree"
}
