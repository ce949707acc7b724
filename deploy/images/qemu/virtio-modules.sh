# Sourced by both images' /init: loads the virtio network driver. Debian's
# cloud kernel builds virtio as modules; this is their dependency order.
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev \
         virtio_pci failover net_failover virtio_net; do
  insmod /lib/modules/$m.ko || echo "scalebench: insmod $m failed"
done
