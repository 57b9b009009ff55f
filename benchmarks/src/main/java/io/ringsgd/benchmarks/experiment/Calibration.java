package io.ringsgd.benchmarks.experiment;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.algorithm.CostModel;
import io.ringsgd.collectives.emulation.LinkModel;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Measures the other half of the communication ratio, on this machine and in the experiment's own setting (the same
 * ranks and vector): the time of one synchronous AllReduce of the gradient over a candidate link, which is adjusted
 * until it takes R times the compute time. Measuring, rather than trusting the cost model alone, keeps R honest: per-step wake-ups and copies
 * make a real AllReduce slower than the link's bytes and latency say.
 */
final class Calibration {
    private Calibration() {
    }

    /** Mean seconds of a synchronous AVG AllReduce of {@code floats} floats on {@code ranks} ranks over {@code link}. */
    static double allreduceSeconds(int ranks, int floats, LinkModel link, int iterations) {
        CommunicatorConfig comm = CommunicatorConfig.fromSystemProperties().toBuilder().link(link)
                .timeout(Duration.ofSeconds(120)).build();
        List<Double> times = Communicators.runLocal(ranks, comm, c -> {
            float[] v = new float[floats];
            for (int i = 0; i < 3; i++) {
                c.allreduce(v, ReduceOp.AVG);
            }
            c.barrier();
            long t0 = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                c.allreduce(v, ReduceOp.AVG);
            }
            double[] t = {(System.nanoTime() - t0) / 1e9 / iterations};
            c.allreduce(t, ReduceOp.MAX);
            return t[0];
        });
        return times.get(0);
    }

    /**
     * The link of {@code latency} at which a measured synchronous AllReduce of the gradient takes {@code target}
     * seconds: starts from the cost model's answer and corrects the bandwidth with the measured overhead (a few
     * rounds of measuring).
     */
    static LinkModel linkFor(CostModel host, Duration latency, int ranks, long parameters, double target,
            Consumer<String> log) {
        long bytes = parameters * CostModel.ELEMENT_BYTES;
        LinkModel link = ExperimentCommand.linkFor(host, latency, ranks, bytes, target);
        for (int round = 0; round < 4; round++) {
            double measured = allreduceSeconds(ranks, (int) parameters, link, 20);
            double modelled = host.withLink(link).allreduceSeconds(Algorithm.AUTO, ranks, bytes);
            log.accept(String.format(java.util.Locale.ROOT, "#   link %s: AllReduce measured %.3f ms (model %.3f ms),"
                    + " target %.3f ms", link, measured * 1e3, modelled * 1e3, target * 1e3));
            if (Math.abs(measured - target) <= 0.05 * target) {
                return link;
            }
            // What the model misses is an overhead on top of the link: ask the model for what is left of the target.
            double overhead = measured - modelled;
            double want = target - overhead;
            double floor = host.withLink(new LinkModel(latency, 1e13)).allreduceSeconds(Algorithm.AUTO, ranks, bytes);
            if (want <= floor * 1.05) {
                log.accept("#   the measured overhead leaves no room for a slower link: keeping " + link);
                return link;
            }
            link = ExperimentCommand.linkFor(host, latency, ranks, bytes, want);
        }
        return link;
    }
}
