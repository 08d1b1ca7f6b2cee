#!/usr/bin/env bash
# Builds the demo initramfs: Debian's static busybox as /init (busybox init, so `poweroff` and
# `reboot` in the guest go through the kernel's ACPI path and end or reset ferry), a shell on
# the console, proc/sys/dev mounted. Usage: scripts/mkinitramfs.sh OUT.cpio.gz
set -euo pipefail
out=${1:?usage: scripts/mkinitramfs.sh OUT.cpio.gz}
busybox=/bin/busybox
[[ -x $busybox ]] || { echo "mkinitramfs: $busybox is missing (Debian package busybox-static)" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root}
cp "$busybox" "$root/bin/busybox"
ln -s bin/busybox "$root/init"          # argv[0] "init": busybox runs its init applet

cat > "$root/etc/inittab" <<'EOI'
::sysinit:/bin/busybox sh /etc/rcS
::respawn:-/bin/cttyhack /bin/sh
::ctrlaltdel:/bin/reboot
::shutdown:/bin/umount -a -r
EOI
cat > "$root/etc/rcS" <<'EOI'
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
/bin/busybox --install -s
echo
echo "ferry demo: Debian's kernel with a busybox shell. 'poweroff' ends ferry; Ctrl-A x quits."
EOI
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$out"
