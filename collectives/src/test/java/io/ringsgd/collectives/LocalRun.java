package io.ringsgd.collectives;

import io.ringsgd.collectives.testing.RankThreads;
import java.util.List;
import java.util.function.Function;

/** Runs n in-JVM ranks and returns each rank's result or exception, without failing the others. */
final class LocalRun {
    private LocalRun() {
    }

    static List<Object> runCatching(int n, CommunicatorConfig cfg, Function<Communicator, Object> body) {
        List<Communicator> comms = Communicators.local(n, cfg);
        return RankThreads.runCatching(n, r -> () -> {
            try (Communicator comm = comms.get(r)) {
                return body.apply(comm);
            }
        });
    }
}
