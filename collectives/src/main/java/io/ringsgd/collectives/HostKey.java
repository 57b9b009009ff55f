package io.ringsgd.collectives;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which host a process runs on, as {@link Communicator#splitByHost()} and {@link HierarchicalAllreduce#of(Communicator)}
 * see it: the processes that share a kernel (the same boot id) <em>and</em> a network namespace. Network namespaces of
 * one machine share its kernel but not its links, so two emulated hosts (or two containers with networks of their
 * own) on one machine are two hosts here, as they are to the network. Where the kernel does not say (not Linux), the
 * host name stands in.
 */
public final class HostKey {
    private HostKey() {
    }

    /**
     * "boot-id/net:[inode]" on Linux: equal for two processes exactly when they share the kernel and the network
     * namespace; "" where either is unknown.
     */
    public static String kernelAndNetwork() {
        String boot = read(() -> Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim());
        String net = read(() -> Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
        return boot.isEmpty() || net.isEmpty() ? "" : boot + "/" + net;
    }

    /** This process's host: {@link #kernelAndNetwork()}, or "host:" and the host name where that is unknown. */
    public static String local() {
        String k = kernelAndNetwork();
        if (!k.isEmpty()) {
            return k;
        }
        String name = read(() -> InetAddress.getLocalHost().getHostName());
        return "host:" + (name.isEmpty() ? "unknown" : name);
    }

    /** A 64-bit FNV-1a hash of {@code label}'s UTF-8 bytes (what ranks exchange to compare labels). */
    public static long hash(String label) {
        long h = 0xcbf29ce484222325L;
        for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    /**
     * This rank's group among the ranks of {@code comm} that pass equal labels: the lowest rank of {@code comm} whose
     * label equals this one's. Collective (one all-gather of the labels' hashes).
     */
    static int groupOf(Communicator comm, String label) {
        long[] hashes = new long[comm.size()];
        comm.allgather(ElementBuffer.of(new long[] {hash(java.util.Objects.requireNonNull(label, "label"))}),
                ElementBuffer.of(hashes), CollectiveOptions.DEFAULT);
        return colorOf(hashes, comm.rank());
    }

    /**
     * The color of rank {@code rank} when ranks are grouped by equal {@code hashes}: the lowest rank whose hash equals
     * this rank's (so colors are non-negative and every group's color is its first member).
     */
    static int colorOf(long[] hashes, int rank) {
        for (int r = 0; r < rank; r++) {
            if (hashes[r] == hashes[rank]) {
                return r;
            }
        }
        return rank;
    }

    private interface Reader {
        String get() throws IOException;
    }

    private static String read(Reader r) {
        try {
            return r.get();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
