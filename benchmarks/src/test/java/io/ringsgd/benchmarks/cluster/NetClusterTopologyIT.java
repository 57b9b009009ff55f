package io.ringsgd.benchmarks.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The wiring of {@code netcluster}'s multi-NIC hosts: with {@code --nics K} every NIC is a rail of its own (its own
 * subnet and switch, so traffic to a peer's NIC k leaves through NIC k), and with {@code --bcube n} the NICs form
 * BCube(n, K-1): a host reaches another directly exactly when their base-n numbers differ in one digit, through the
 * NIC of that digit's level. Needs root and network namespaces; skips with the reason printed where there are none.
 */
class NetClusterTopologyIT {

    @BeforeAll
    static void capable() {
        String why = NetCluster.whyNot();
        if (why != null) {
            System.err.println("NetClusterTopologyIT skipped: " + why);
        }
        Assumptions.assumeTrue(why == null, why);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void bcubeHostsReachExactlyThePeersOfTheirSwitchAtEachLevel() {
        int n = 2;
        int levels = 2;
        int hosts = 4;
        try (NetCluster c = NetCluster.up("bt" + ProcessHandle.current().pid(), hosts, "200mbit",
                List.of("--nics", Integer.toString(levels), "--bcube", Integer.toString(n), "--cpus", "none"))) {
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < hosts; i++) {
                for (int j = 0; j < hosts; j++) {
                    for (int k = 0; k < levels; k++) {
                        if (i == j) {
                            continue;
                        }
                        boolean want = differOnlyInDigit(i, j, k, n);
                        boolean got = reachable(c, i, "10.77." + k + "." + (j + 1));
                        if (want != got) {
                            wrong.add("h" + i + " -> h" + j + " NIC " + k + ": " + (got ? "reached" : "not reached"));
                        }
                    }
                }
            }
            assertThat(wrong).isEmpty();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void eachNicIsARailOfItsOwn() {
        try (NetCluster c = NetCluster.up("rt" + ProcessHandle.current().pid(), 2, "200mbit",
                List.of("--nics", "2", "--cpus", "none"))) {
            for (int k = 0; k < 2; k++) {
                NetCluster.Run r = NetCluster.run(c.onHost(0, List.of("ip", "route", "get", "10.77." + k + ".2")),
                        20);
                assertThat(r.output()).as("route to h1's NIC %d", k).contains("dev eth" + k + " ");
                assertThat(reachable(c, 0, "10.77." + k + ".2")).isTrue();
            }
        }
    }

    private static boolean differOnlyInDigit(int i, int j, int k, int n) {
        int p = 1;
        for (int l = 0; l < k; l++) {
            p *= n;
        }
        int rest = i / (p * n) * p + i % p;
        int restJ = j / (p * n) * p + j % p;
        return rest == restJ && (i / p) % n != (j / p) % n;
    }

    /** A TCP connection attempt to a closed port: refused (a reset came back) means the address is reachable. */
    private static boolean reachable(NetCluster c, int host, String address) {
        NetCluster.Run r = NetCluster.run(c.onHost(host, List.of("timeout", "2", "bash", "-c",
                "exec 3<>/dev/tcp/" + address + "/9")), 20);
        return r.output().contains("refused");
    }
}
