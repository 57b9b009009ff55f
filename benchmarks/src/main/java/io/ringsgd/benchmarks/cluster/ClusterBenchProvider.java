package io.ringsgd.benchmarks.cluster;

import io.ringsgd.launch.SubcommandProvider;

/** Contributes {@code ringsgd cluster-bench} to the command line. */
public final class ClusterBenchProvider implements SubcommandProvider {

    @Override
    public String name() {
        return "cluster-bench";
    }

    @Override
    public Object command() {
        return new ClusterBenchCommand();
    }
}
