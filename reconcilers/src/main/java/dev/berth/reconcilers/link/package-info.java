/**
 * The kernel side of overlay Networks: VXLAN devices, their permanent FDB entries and neighbour entries, read and
 * written through iproute2 ({@link dev.berth.reconcilers.link.IpRouteDriver}) and planned purely
 * ({@link dev.berth.reconcilers.link.OverlayPlanner}). Only links that pass {@link dev.berth.reconcilers.link.LinkOwnership}
 * are ever read as Berth's or changed.
 */
package dev.berth.reconcilers.link;
