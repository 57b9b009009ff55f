package io.ringsgd.pipesgd.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.Compression;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.optim.Schedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad configuration values give one-line errors that say what to do; the trainer registry. */
@Timeout(60)
class TrainConfigTest {
    private static final DataSpec DATA = DataSpec.synthetic(100, 20, 4, 2, 0.1, 1);

    @TempDir
    Path tmp;

    private static TrainConfig.Builder base() {
        return TrainConfig.builder().data(DATA).workers(2).batch(4);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> rejects(UnaryOperator<TrainConfig.Builder> f) {
        return assertThatThrownBy(() -> f.apply(base()).build().checkEnvironment())
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("\n");
    }

    @Test
    void defaultsAreValidAndDescribed() {
        TrainConfig c = TrainConfig.builder().build();
        assertThat(c.trainer()).isEqualTo("pipe");
        assertThat(c.width()).isEqualTo(2);
        assertThat(c.widthSet()).isFalse();
        assertThat(c.model()).isEqualTo("mlp");
        assertThat(c.hidden()).containsExactly(256, 128);
        assertThat(c.data()).isEqualTo(DataSpec.fashionMnist());
        assertThat(c.compression()).isEqualTo(Compression.NONE);
        assertThat(c.schedule()).isEqualTo(Schedule.COSINE);
        assertThat(TrainConfig.builder().trainer("sync").build().width()).isEqualTo(1);
        assertThat(c.toString()).contains("trainer=pipe").contains("width=2").contains("hidden=256,128");
        TrainConfig copy = c.toBuilder().lr(0.2).option("cocod.x", "1").build();
        assertThat(copy.lr()).isEqualTo(0.2);
        assertThat(copy.option("cocod.x", "0")).isEqualTo("1");
        assertThat(copy.width()).isEqualTo(2);
        assertThat(TrainConfig.parseHidden("512, 64")).containsExactly(512, 64);
    }

    @Test
    void badNumbersAreRejected() {
        rejects(b -> b.width(0)).hasMessageContaining("width must be between 1 and 64").hasMessageContaining("got 0")
                .hasMessageContaining("--width");
        rejects(b -> b.batch(0)).hasMessageContaining("batch must be at least 1").hasMessageContaining("--batch");
        rejects(b -> b.lr(0)).hasMessageContaining("learning rate must be a positive number, got 0.0")
                .hasMessageContaining("--lr");
        rejects(b -> b.lr(-0.1)).hasMessageContaining("got -0.1");
        rejects(b -> b.lr(Double.NaN)).hasMessageContaining("learning rate");
        rejects(b -> b.workers(0)).hasMessageContaining("workers must be at least 1");
        rejects(b -> b.epochs(0)).hasMessageContaining("epochs");
        rejects(b -> b.momentum(1)).hasMessageContaining("momentum must be in [0, 1)");
        rejects(b -> b.momentum(0).nesterov(true)).hasMessageContaining("Nesterov");
        rejects(b -> b.weightDecay(-1)).hasMessageContaining("weight decay");
        rejects(b -> b.localSteps(0)).hasMessageContaining("local-steps");
        rejects(b -> b.hidden(256, 0)).hasMessageContaining("hidden layer sizes must be positive");
        rejects(b -> b.hidden()).hasMessageContaining("at least one hidden layer");
        rejects(b -> b.model("transformer")).hasMessageContaining("unknown model 'transformer'");
        rejects(b -> b.trainer("nope")).hasMessageContaining("unknown trainer 'nope'").hasMessageContaining("pipe")
                .hasMessageContaining("sync");
        rejects(b -> b.trainer("sync").width(3)).hasMessageContaining("trainer sync is synchronous SGD")
                .hasMessageContaining("--trainer pipe");
        rejects(b -> b.resume(true)).hasMessageContaining("--resume needs --checkpoint-dir");
        rejects(b -> b.evalEvery(-1)).hasMessageContaining("eval-every");
        rejects(b -> b.syncWarmup(-1)).hasMessageContaining("sync-warmup");
        assertThat(base().trainer("sync").width(1).build().width()).isEqualTo(1);
    }

    @Test
    void moreWorkersThanSamplesOrBatchLargerThanAShard() {
        rejects(b -> b.workers(101)).hasMessageContaining("101 workers but the training set has only 100 samples")
                .hasMessageContaining("--workers");
        rejects(b -> b.workers(4).batch(26)).hasMessageContaining("batch 26 is larger than a worker's shard of 25");
    }

    @Test
    void dataDirectoryWithoutTheFiles() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("data"));
        rejects(b -> b.data(DataSpec.directory(empty))).hasMessageContaining(empty.toString())
                .hasMessageContaining("train-images-idx3-ubyte");
        rejects(b -> b.data(empty.resolve("missing").toString())).hasMessageContaining("does not exist");
    }

    @Test
    void unwritableOutputOrCheckpointPath() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        rejects(b -> b.outputDir(file)).hasMessageContaining("--output").hasMessageContaining("is a file");
        rejects(b -> b.outputDir(file.resolve("sub"))).hasMessageContaining("--output")
                .hasMessageContaining("cannot be created");
        rejects(b -> b.checkpointDir(file.resolve("sub"))).hasMessageContaining("--checkpoint-dir");
        base().outputDir(tmp.resolve("new/out")).build().checkEnvironment();
        assertThat(tmp.resolve("new/out")).isDirectory();
    }

    @Test
    void trainerRejectsACommunicatorOfAnotherSize() {
        TrainConfig cfg = base().workers(3).build();
        assertThatThrownBy(() -> Communicators.runLocal(2, comm -> Trainers.create("pipe").train(comm, cfg,
                TrainingListener.NONE))).hasMessageContaining("says 3 workers but the communicator has 2 ranks");
    }

    @Test
    void registryKnowsTheBuiltInsAndAcceptsMore() {
        assertThat(Trainers.names()).contains("pipe", "sync");
        assertThat(Trainers.create("PIPE").name()).isEqualTo("pipe");
        Trainers.register(new TrainerProvider() {
            @Override
            public String name() {
                return "test-noop";
            }

            @Override
            public String description() {
                return "does nothing";
            }

            @Override
            public Trainer create() {
                return new Trainer() {
                    @Override
                    public String name() {
                        return "test-noop";
                    }

                    @Override
                    public TrainResult train(io.ringsgd.collectives.Communicator comm, TrainConfig cfg,
                            TrainingListener listener) {
                        throw new UnsupportedOperationException();
                    }
                };
            }
        });
        assertThat(Trainers.isKnown("test-noop")).isTrue();
        assertThat(base().trainer("test-noop").build().width()).isEqualTo(1);
    }
}
