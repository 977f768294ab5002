package dev.berth.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelProfileTest {
    @Test
    void busySamplesAreGroupedByTheKernelFunctionTheyLandedIn() {
        List<String> report = List.of(
                "# Samples: 7K of event 'cpu-clock'",
                "    50.00%  [k] pv_native_safe_halt",
                "    10.00%  [k] _copy_from_iter",
                "     5.00%  [k] __nf_conntrack_find_get",
                "     5.00%  [k] nf_conntrack_in",
                "     5.00%  [k] nft_do_chain",
                "     5.00%  [k] br_nf_pre_routing",
                "     5.00%  [k] br_handle_frame",
                "     5.00%  [k] vxlan_xmit_one",
                "     5.00%  [k] copy_process",
                "     5.00%  [k] __siphash_unaligned");

        KernelProfile.Shares s = KernelProfile.shares(report);

        assertEquals(0.5, s.busy(), 1e-9);
        assertEquals(0.2, s.groups().get("conntrack"), 1e-9);
        assertEquals(0.1, s.groups().get("iptables/nft rules"), 1e-9);
        assertEquals(0.1, s.groups().get("br_netfilter"), 1e-9, "br_nf_* is br_netfilter, not the bridge");
        assertEquals(0.1, s.groups().get("bridge"), 1e-9);
        assertEquals(0.1, s.groups().get("VXLAN/UDP"), 1e-9);
        assertEquals(0.2, s.groups().get("copies"), 1e-9, "copy_process copies no data");
        assertEquals(0.2, s.groups().get("conntrack"), 1e-9, "siphash also hashes flows for VXLAN's source port");
    }
}
