# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced first thing by a test wrapper (". .../own_netns.sh", with the
# wrapper's own arguments still in "$@"): re-runs the wrapper in a
# network namespace of its own, whose only interface is "lo" (up), so
# no server it starts and no HTTP it makes can leave loopback.  Needs
# root (unshare); otherwise exits 77, which meson reports as skipped.
if [ "${BPA_IN_NS:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root for a network namespace"
		exit 77
	fi
	BPA_IN_NS=1 exec unshare -n -- "$0" "$@"
fi
ip link set lo up
