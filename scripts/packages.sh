# shellcheck shell=bash disable=SC2034
# SPDX-License-Identifier: BSD-2-Clause
#
# The Debian 12 packages each README command needs, in one place, and the
# helper that installs only what is missing. Sourced by demo.sh and test.sh.

# gcc build of the library and the demo.
MSIDOM_DEMO_PACKAGES=(
	gcc
	libc6-dev
	meson
	ninja-build
	pkg-config
)

# Every test suite, with the reason each package is needed.
MSIDOM_TEST_PACKAGES=(
	"${MSIDOM_DEMO_PACKAGES[@]}"
	clang                  # the CI build (ASan + UBSan)
	libclang-rt-14-dev     # clang's sanitizer runtimes
	llvm-14                # llvm-symbolizer: sanitizer stack traces with names
	libcmocka-dev          # unit, ims, vfio, baremetal, vmm suites
	doxygen                # the docs target
	clang-format           # the style check (.clang-format)
	binutils               # consumer and symbols suites: nm, readelf
	g++                    # consumer suite: every public header compiled as C++
	abigail-tools          # scripts/abi.sh: abidw, abidiff against abi/libmsidom.abi
	valgrind               # bench suite: callgrind instruction counts
	qemu-system-x86        # vfio-e2e, baremetal-e2e
	busybox-static         # vfio-e2e: the guest's initramfs
	cpio                   # vfio-e2e: packing the initramfs
	xz-utils               # vfio-e2e: 6.12 modules are .ko.xz
	python3                # vfio-e2e harness; test.sh's summary
	apt                    # vfio-e2e: apt-get download of kernel packages
	dpkg                   # vfio-e2e: dpkg -x of kernel packages
	gcc-i686-linux-gnu     # freestanding (i386), baremetal-e2e (32-bit kernel)
	gcc-aarch64-linux-gnu  # freestanding (aarch64)
	gcc-riscv64-linux-gnu  # freestanding (riscv64)
)

# msidom_missing_packages PKG...: print the packages that are not installed.
msidom_missing_packages() {
	local p status
	for p in "$@"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		if [ "$status" != "install ok installed" ]; then
			printf '%s\n' "$p"
		fi
	done
}

# msidom_ensure_packages PKG...: apt-get install what is missing, and nothing
# at all (no apt-get update either) when everything is there.
msidom_ensure_packages() {
	local missing sudo=()
	mapfile -t missing < <(msidom_missing_packages "$@" | sort -u)
	if [ "${#missing[@]}" -eq 0 ]; then
		echo "packages: all ${#} needed Debian packages are installed"
		return 0
	fi
	echo "packages: installing ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		if ! command -v sudo >/dev/null 2>&1; then
			echo "packages: not root and no sudo; install these first: ${missing[*]}" >&2
			return 1
		fi
		sudo=(sudo -n)
		[ -t 0 ] && sudo=(sudo)
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}"
	# A package apt resolved to something else must still be checked.
	mapfile -t missing < <(msidom_missing_packages "$@")
	if [ "${#missing[@]}" -ne 0 ]; then
		echo "packages: still missing after apt-get install: ${missing[*]}" >&2
		return 1
	fi
}
