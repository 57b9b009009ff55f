package io.ringsgd.launch;

import io.ringsgd.collectives.Units;
import io.ringsgd.gpu.GpuCheck;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ringsgd gpu-check}: the device AllReduce against the host AllReduce, on the GPU this machine has. */
@Command(name = "gpu-check", mixinStandardHelpOptions = true,
        description = "Find the CUDA device, run the device AllReduce against the host AllReduce for several sizes on"
                + " an in-JVM group sharing the device, and report agreement and bandwidth. Without a GPU it says so"
                + " (and why) and exits 0; --host runs the same check on the host device.")
final class GpuCheckCommand implements Callable<Integer> {

    @Option(names = "--ranks", defaultValue = "2", description = "Ranks sharing the device (default 2).")
    int ranks;

    @Option(names = "--iters", defaultValue = "5", description = "Timed iterations per size (default 5).")
    int iters;

    @Option(names = "--segment", defaultValue = "256k", description = "Pipeline segment size (default 256k).")
    String segment;

    @Option(names = "--host", description = "Without a GPU, run the whole check on the host device instead.")
    boolean host;

    @Override
    public Integer call() {
        return new GpuCheck().ranks(ranks).iterations(iters).segmentBytes((int) Units.parseBytes(segment))
                .hostFallback(host).run(System.out);
    }
}
