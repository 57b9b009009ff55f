package io.ringsgd.cocod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.train.IterationStats;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.data.Offset;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Elastic BSP: with equal workers it is batch-weighted CoCoD-SGD bit for bit (the same machinery), with a straggler
 * every rank still ends bit-identical and converges like synchronous SGD, and in the deterministic mode a resumed run
 * ends bit for bit as an uninterrupted one.
 */
@Timeout(120)
class ElasticBspTrainerTest {
    private static final DataSpec DATA = DataSpec.synthetic(600, 200, 12, 3, 0.15, 5);

    @TempDir
    Path tmp;

    private static TrainConfig.Builder small(String trainer, int workers) {
        return TrainConfig.builder().trainer(trainer).workers(workers).data(DATA).model("mlp").hidden(8).epochs(2)
                .batch(10).lr(0.05).momentum(0.9).weightDecay(1e-3).warmupEpochs(0.2).seed(17);
    }

    private static List<TrainResult> train(TrainConfig cfg, TrainingListener listener) {
        return Communicators.runLocal(cfg.workers(), comm -> Trainers.create(cfg.trainer()).train(comm, cfg,
                listener));
    }

    private static void bitIdentical(List<TrainResult> rs) {
        for (TrainResult r : rs) {
            assertThat(r.paramsSha256()).as("rank %d", r.rank()).isEqualTo(rs.get(0).paramsSha256());
        }
    }

    @Test
    void withEqualWorkersItIsWeightedCocodBitForBit() {
        // 3 workers, 200 samples each, batch 10: 20 iterations per epoch, a multiple of the 4 steps per round.
        List<TrainResult> ebsp = train(small("ebsp", 3).option(EbspOptions.STEP_TIMES.name(), "2,2,2")
                .option(EbspOptions.MIN_STEPS, 4).build(), TrainingListener.NONE);
        List<TrainResult> cocod = train(small("cocod", 3).option(CocodOptions.LOCAL_STEPS, 4)
                .option(CocodOptions.WEIGHTED, true).build(), TrainingListener.NONE);
        bitIdentical(ebsp);
        assertThat(ebsp.get(0).iterations()).isEqualTo(cocod.get(0).iterations());
        assertThat(ebsp.get(0).paramsSha256()).isEqualTo(cocod.get(0).paramsSha256());
    }

    @Test
    void aStragglerTakesFewerStepsAndTheRanksStillAgree() {
        DataSpec convex = DataSpec.synthetic(4000, 1000, 32, 4, 0.35, 8);
        TrainConfig.Builder b = TrainConfig.builder().workers(4).data(convex).model("softmax").epochs(3).batch(16)
                .lr(0.1).momentum(0.5).weightDecay(0).seed(3);
        TrainResult sync = train(b.trainer("sync").build(), TrainingListener.NONE).get(0);
        List<TrainResult> ebsp = train(b.trainer("ebsp").option(EbspOptions.STEP_TIMES.name(), "1,1,1,2").build(),
                TrainingListener.NONE);
        bitIdentical(ebsp);
        assertThat(ebsp.get(0).iterations()).isEqualTo(sync.iterations());
        assertThat(ebsp.get(0).finalTestAccuracy()).isCloseTo(sync.finalTestAccuracy(), Offset.offset(0.01));
        assertThat(ebsp.get(0).finalTestLoss()).isCloseTo(sync.finalTestLoss(), Percentage.withPercentage(3));
        // Measured times: the decisions depend on the clock, the ranks must agree all the same.
        bitIdentical(train(b.clearOptions().straggler("3:2").epochs(1).build(),
                TrainingListener.NONE));
    }

    /** Every rank throws at iteration {@code at}, as if the job were killed. */
    private static TrainingListener crashAt(long at) {
        return new TrainingListener() {
            @Override
            public void onIteration(IterationStats s) {
                if (s.iteration() == at) {
                    throw new IllegalStateException("simulated crash at iteration " + at);
                }
            }
        };
    }

    @Test
    void resumesBitForBitInTheDeterministicMode() {
        for (String compression : new String[] {"none", "int8"}) {
            TrainConfig.Builder b = small("ebsp", 4).option(EbspOptions.STEP_TIMES.name(), "1,1.5,1,2")
                    .option(EbspOptions.MIN_STEPS, 2).option(EbspOptions.LOOKAHEAD, 6).compression(compression)
                    .evalEvery(11);
            String reference = train(b.build(), TrainingListener.NONE).get(0).paramsSha256();
            TrainConfig.Builder ck = b.build().toBuilder().checkpointEvery(7);
            TrainResult full = train(ck.checkpointDir(tmp.resolve("full-" + compression)).build(),
                    TrainingListener.NONE).get(0);
            assertThat(full.paramsSha256()).as("checkpoints do not change the trajectory").isEqualTo(reference);
            Path dir = tmp.resolve("crashed-" + compression);
            TrainConfig first = ck.checkpointDir(dir).build();
            assertThatThrownBy(() -> train(first, crashAt(20))).hasMessageContaining("simulated crash");
            List<TrainResult> resumed = train(ck.checkpointDir(dir).resume(true).build(), TrainingListener.NONE);
            for (TrainResult r : resumed) {
                assertThat(r.startIteration()).isBetween(14L, 19L);
                assertThat(r.paramsSha256()).as("%s rank %d", compression, r.rank())
                        .isEqualTo(full.paramsSha256());
            }
        }
    }

    @Test
    void badOptionsAreOneLine() {
        assertThatThrownBy(() -> small("ebsp", 3).option(EbspOptions.STEP_TIMES.name(), "1,2").build())
                .hasMessage("ebsp.step-times '1,2' lists 2 step times for 3 workers: give one per worker, e.g."
                        + " 1,1,1,2");
        assertThatThrownBy(() -> small("ebsp", 2).option(EbspOptions.STEP_TIMES.name(), "1,x").build())
                .hasMessageContaining("entry 1 ('x') is not a positive number");
        assertThatThrownBy(() -> small("ebsp", 2).option(CocodOptions.LOCAL_STEPS, 3).build())
                .hasMessageContaining("it belongs to cocod");
    }
}
