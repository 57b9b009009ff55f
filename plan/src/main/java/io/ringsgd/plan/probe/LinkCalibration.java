package io.ringsgd.plan.probe;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Units;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.plan.cost.CostModel;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Finds the emulated link on which one synchronous AllReduce of a vector takes a given time (the experiment's
 * communication ratio R: R times the compute time). The cost model gives a first answer; measuring, rather than
 * trusting it alone, keeps R honest, since per-step wake-ups and copies make a real AllReduce slower than the link's
 * bytes and latency say.
 */
public final class LinkCalibration {
    private LinkCalibration() {
    }

    /**
     * Mean seconds of a synchronous AVG AllReduce of {@code floats} floats on {@code ranks} in-JVM ranks over
     * {@code link} (the slowest rank's mean over {@code iterations}, after a short warm-up).
     */
    public static double allreduceSeconds(int ranks, int floats, LinkModel link, int iterations) {
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
     * The link of {@code latency} at which a measured synchronous AllReduce of {@code parameters} floats takes
     * {@code target} seconds: starts from the cost model's answer and corrects the bandwidth with the measured
     * overhead (a few rounds of measuring, each reported to {@code log}).
     */
    public static LinkModel measuredLinkFor(CostModel host, Duration latency, int ranks, long parameters,
            double target, Consumer<String> log) {
        long bytes = parameters * CostModel.ELEMENT_BYTES;
        LinkModel link = modelledLinkFor(host, latency, ranks, bytes, target);
        for (int round = 0; round < 4; round++) {
            double measured = allreduceSeconds(ranks, (int) parameters, link, 20);
            double modelled = host.withLink(link).allreduceSeconds(Algorithm.AUTO, ranks, bytes);
            log.accept(String.format(Locale.ROOT, "#   link %s: AllReduce measured %.3f ms (model %.3f ms),"
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
            link = modelledLinkFor(host, latency, ranks, bytes, want);
        }
        return link;
    }

    /**
     * The link of latency {@code latency} whose synchronous AllReduce of {@code bytes} takes {@code seconds} by the
     * cost model alone (bisection over the bandwidth).
     *
     * @throws IllegalArgumentException if the latency alone already makes the AllReduce slower
     */
    public static LinkModel modelledLinkFor(CostModel host, Duration latency, int ranks, long bytes, double seconds) {
        double lo = 1e4;
        double hi = 1e13;
        double floor = host.withLink(new LinkModel(latency, hi)).allreduceSeconds(Algorithm.AUTO, ranks, bytes);
        if (floor >= seconds) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "the ratio asks for an AllReduce of %.3f ms"
                    + " but latency %s alone makes it take %.3f ms: lower --net-latency or raise --comm-ratio",
                    seconds * 1e3, Units.formatDuration(latency), floor * 1e3));
        }
        for (int i = 0; i < 100; i++) {
            double mid = Math.sqrt(lo * hi);
            double s = host.withLink(new LinkModel(latency, mid)).allreduceSeconds(Algorithm.AUTO, ranks, bytes);
            if (s > seconds) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return new LinkModel(latency, hi);
    }
}
