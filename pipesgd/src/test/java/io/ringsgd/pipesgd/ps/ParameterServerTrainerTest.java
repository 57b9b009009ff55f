package io.ringsgd.pipesgd.ps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.testing.TcpGroup;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.optim.Schedule;
import io.ringsgd.pipesgd.pipe.SerialReference;
import io.ringsgd.pipesgd.train.IterationStats;
import io.ringsgd.pipesgd.train.ParameterDigest;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The parameter server equals serial synchronous SGD over its workers' shards, bit for bit; every rank ends with the
 * server's parameters; the same over TCP; and it refuses what it cannot run.
 */
@Timeout(120)
class ParameterServerTrainerTest {
    static final DataSpec DATA = DataSpec.synthetic(600, 200, 12, 3, 0.15, 5);

    static TrainConfig.Builder small(int ranks) {
        return TrainConfig.builder().trainer("ps").workers(ranks).data(DATA).model("mlp").hidden(8).epochs(2)
                .batch(10).lr(0.05).momentum(0.9).weightDecay(1e-3).schedule(Schedule.COSINE).warmupEpochs(0.2)
                .seed(17);
    }

    static List<TrainResult> train(TrainConfig cfg, CommunicatorConfig comm, boolean tcp) {
        return tcp ? TcpGroup.run(cfg.workers(), comm, c -> Trainers.create("ps").train(c, cfg,
                TrainingListener.NONE))
                : Communicators.runLocal(cfg.workers(), comm, c -> Trainers.create("ps").train(c, cfg,
                        TrainingListener.NONE));
    }

    @Test
    void equalsSerialSynchronousSgdOverTheWorkersShardsExactly() {
        CommunicatorConfig comm = CommunicatorConfig.builder().timeout(Duration.ofSeconds(30)).build();
        for (int ranks = 2; ranks <= 4; ranks++) {
            TrainConfig cfg = small(ranks).build();
            String expected = ParameterDigest.sha256(SerialReference.run(small(ranks - 1).trainer("sync").build(),
                    1));
            List<TrainResult> results = train(cfg, comm, false);
            for (TrainResult r : results) {
                assertThat(r.paramsSha256()).as("%d ranks, rank result", ranks).isEqualTo(expected);
            }
        }
    }

    @Test
    void cnnEqualsSerialSynchronousSgdExactly() {
        CommunicatorConfig comm = CommunicatorConfig.builder().timeout(Duration.ofSeconds(30)).build();
        TrainConfig cfg = small(3).data(DataSpec.synthetic(600, 200, 64, 3, 0.15, 5))
                .model("cnn:c4k3p1-pool2-c6k3-d8").build();
        String expected = ParameterDigest.sha256(SerialReference.run(cfg.toBuilder().workers(2).trainer("sync")
                .build(), 1));
        for (TrainResult r : train(cfg, comm, false)) {
            assertThat(r.paramsSha256()).isEqualTo(expected);
        }
    }

    @Test
    void overTcpTheSameBits() {
        CommunicatorConfig comm = CommunicatorConfig.builder().timeout(Duration.ofSeconds(30)).build();
        TrainConfig cfg = small(3).maxIterations(25).build();
        String threads = train(cfg, comm, false).get(0).paramsSha256();
        for (TrainResult r : train(cfg, comm, true)) {
            assertThat(r.paramsSha256()).isEqualTo(threads);
        }
    }

    @Test
    void theServerReportsTheWorkersMeanLossAndItsWait() {
        TrainConfig cfg = small(3).maxIterations(10).build();
        AtomicLong seen = new AtomicLong();
        Communicators.runLocal(3, c -> Trainers.create("ps").train(c, cfg, c.rank() != 0 ? TrainingListener.NONE
                : new TrainingListener() {
                    @Override
                    public void onIteration(IterationStats s) {
                        assertThat(s.loss()).isFinite().isPositive();
                        assertThat(s.commWaitNanos()).isPositive();
                        seen.incrementAndGet();
                    }
                }));
        assertThat(seen.get()).isEqualTo(10);
    }

    @Test
    void refusesOneRankAndCompression() {
        assertThatThrownBy(() -> small(1).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2 ranks");
        assertThatThrownBy(() -> small(3).compression("int8").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trainer ps sends uncompressed gradients: drop --compress int8");
    }
}
