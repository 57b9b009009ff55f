package io.ringsgd.launch;

import io.ringsgd.collectives.emulation.LinkModel;
import picocli.CommandLine.Option;

/**
 * The emulated network link, the same in every command ({@code train}, {@code plan}, {@code bench allreduce},
 * {@code experiment}): {@code --net-latency} and {@code --net-bandwidth}, also spelled {@code --latency} and
 * {@code --bandwidth}. A picocli mixin.
 */
public final class LinkOptions {

    @Option(names = {"--net-latency", "--latency"}, paramLabel = "TIME", description = "Emulated link latency, e.g."
            + " 200us (with --net-bandwidth; alias --latency).")
    String latency;

    @Option(names = {"--net-bandwidth", "--bandwidth"}, paramLabel = "RATE", description = "Emulated link bandwidth"
            + " per rank, e.g. 1gbit, 10gbit, 2GB/s (with --net-latency; alias --bandwidth).")
    String bandwidth;

    /** The latency as given, or null. */
    public String latency() {
        return latency;
    }

    /** The bandwidth as given, or null. */
    public String bandwidth() {
        return bandwidth;
    }

    /**
     * The link, or null when neither option is given.
     *
     * @throws IllegalArgumentException (one line) if only one of them is given, or a value does not parse
     */
    public LinkModel link() {
        if (latency == null && bandwidth == null) {
            return null;
        }
        if (latency == null || bandwidth == null) {
            throw new IllegalArgumentException("--net-latency and --net-bandwidth go together: give both, e.g."
                    + " --net-latency 200us --net-bandwidth 1gbit, or neither for no emulated link");
        }
        return LinkModel.parse(latency, bandwidth);
    }
}
