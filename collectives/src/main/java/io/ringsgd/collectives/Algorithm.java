package io.ringsgd.collectives;

import java.util.Locale;

/**
 * Collective algorithms a caller may force (per call with {@link CollectiveOptions}, or for a whole job with the
 * system property {@code ringsgd.algorithm}). {@link #AUTO} lets the communicator's selection table choose by message
 * size and group size, as MPICH does.
 */
public enum Algorithm {
    /** Chosen by the communicator's {@link io.ringsgd.collectives.algorithm.AlgorithmTable}. */
    AUTO("auto"),
    /** Segmented ring: reduce-scatter then all-gather around the ring (bandwidth-optimal for long vectors). */
    RING("ring"),
    /** Recursive doubling: log2(P) exchanges of the whole vector (latency-optimal for short vectors). */
    RECURSIVE_DOUBLING("recursive-doubling"),
    /** Rabenseifner: recursive-halving reduce-scatter then recursive-doubling all-gather. */
    RABENSEIFNER("rabenseifner"),
    /** Binomial tree: reduce to a root, then broadcast. */
    TREE("tree"),
    /** The transport's own collective implementation (MPJ Express's Allreduce, Bcast, ...), where it has one. */
    NATIVE("native"),
    /** Pairwise exchange: P−1 steps, each rank sending to r+i and receiving from r−i (all-to-all, v-forms). */
    PAIRWISE("pairwise"),
    /** Bruck's algorithm: ⌈lg P⌉ rounds of packed blocks (all-to-all of short messages). */
    BRUCK("bruck"),
    /** Linear: the root exchanges with every rank directly (gather, scatter and their v-forms). */
    LINEAR("linear"),
    /**
     * BCube (BML): n^(k+1) ranks, reduce-scatter level by level among the n ranks of each level's group, all-gather
     * in reverse, k+1 slices through the levels in rotated orders (multi-port); base n from
     * {@link CollectiveOptions#withBcubeBase} or {@code ringsgd.bcube.n}.
     */
    BCUBE("bcube");

    private final String cliName;

    Algorithm(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line and in configuration ("recursive-doubling"). */
    public String cliName() {
        return cliName;
    }

    /** Parses a command-line name; "mpj-native" is accepted for {@link #NATIVE}. */
    public static Algorithm parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (k.equals("mpj-native") || k.equals("mpj")) {
            return NATIVE;
        }
        if (k.equals("rd")) {
            return RECURSIVE_DOUBLING;
        }
        for (Algorithm a : values()) {
            if (a.cliName.equals(k)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown algorithm '" + s
                + "': use one of auto, ring, recursive-doubling, rabenseifner, tree, pairwise, bruck, linear,"
                + " bcube, mpj-native");
    }

    /** The algorithm with wire code {@code code} (its ordinal), or null if none. */
    public static Algorithm ofCode(int code) {
        Algorithm[] all = values();
        return code >= 0 && code < all.length ? all[code] : null;
    }
}
