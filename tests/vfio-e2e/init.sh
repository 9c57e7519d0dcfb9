#!/bin/busybox sh
# SPDX-License-Identifier: BSD-2-Clause
# /init of the vfio-e2e guest: load the vfio modules, hand the emulated
# devices to vfio-pci, run the plan written by the harness, power off.
# Every line the harness parses starts with "@@E2E".

/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /tmp
exec </dev/console >/dev/console 2>&1

echo "@@E2E UNAME $(uname -r)"

setup_fail() {
	echo "@@E2E SETUP $*"
	dmesg | tail -n 30
	echo "@@E2E DONE"
	poweroff -f
}

while read -r mod; do
	[ -n "$mod" ] || continue
	insmod "/lib/e2e-modules/$mod" || setup_fail "insmod $mod failed"
done </etc/e2e/modules

# Find a function by vendor:device and bind it to vfio-pci.
bind() {
	want_vendor=$1 want_device=$2
	for dev in /sys/bus/pci/devices/*; do
		[ "$(cat "$dev/vendor")" = "$want_vendor" ] || continue
		[ "$(cat "$dev/device")" = "$want_device" ] || continue
		bdf=${dev##*/}
		if [ -e "$dev/driver" ]; then
			echo "$bdf" >"$dev/driver/unbind" || return 1
		fi
		echo vfio-pci >"$dev/driver_override" || return 1
		echo "$bdf" >/sys/bus/pci/drivers_probe || return 1
		[ "$(basename "$(readlink "$dev/driver")")" = vfio-pci ] || return 1
		group=$(basename "$(readlink "$dev/iommu_group")")
		[ -c "/dev/vfio/$group" ] || return 1
		echo "@@E2E DEVICE $want_vendor:$want_device $bdf group $group" >&2
		echo "$bdf"
		return 0
	done
	return 1
}

EDU_BDF=$(bind 0x1234 0x11e8) || setup_fail "edu (1234:11e8) not bound to vfio-pci"
E1000E_BDF=$(bind 0x8086 0x10d3) || setup_fail "e1000e (8086:10d3) not bound to vfio-pci"
NVME_BDF=$(bind 0x1b36 0x0010) || setup_fail "nvme (1b36:0010) not bound to vfio-pci"
export EDU_BDF E1000E_BDF NVME_BDF
read -r up _ </proc/uptime
echo "@@E2E SETUP ok uptime=$up"

failed=0
tab=$(printf '\t')
while IFS="$tab" read -r name cmd; do
	[ -n "$name" ] || continue
	read -r t0 _ </proc/uptime
	echo "@@E2E BEGIN $name"
	# A hung scenario fails alone (exit 143) and the plan goes on.
	timeout 60 sh -c "$cmd"
	rc=$?
	read -r t1 _ </proc/uptime
	echo "@@E2E END $name rc=$rc t0=$t0 t1=$t1"
	[ "$rc" = 0 ] || failed=1
done </etc/e2e/plan

if [ "$failed" != 0 ]; then
	echo "----- guest dmesg (tail) -----"
	dmesg | tail -n 40
fi
echo "@@E2E DONE"
poweroff -f
