package io.ringsgd.pipesgd.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.Compression;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.optim.Schedule;
import io.ringsgd.pipesgd.pipe.PipeSgdTrainer;
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
        assertThat(c.option(PipeSgdTrainer.WIDTH)).isEqualTo(2);
        assertThat(c.options()).isEmpty();
        assertThat(c.model()).isEqualTo("mlp");
        assertThat(c.hidden()).containsExactly(256, 128);
        assertThat(c.data().spec()).isEqualTo(DataSpec.fashionMnist());
        assertThat(c.compression()).isEqualTo(Compression.NONE);
        assertThat(c.optimizer().schedule()).isEqualTo(Schedule.COSINE);
        assertThat(c.optimizer().lr()).isEqualTo(TrainerDefaults.STANDARD.lr());
        assertThat(c.optimizer().momentum()).isEqualTo(TrainerDefaults.STANDARD.momentum());
        assertThat(PipeSgdTrainer.synchronous().width(TrainConfig.builder().trainer("sync").build())).isEqualTo(1);
        assertThat(c.toString()).contains("trainer=pipe").contains("width=2").contains("hidden=256,128");
        TrainConfig copy = c.toBuilder().lr(0.2).option(PipeSgdTrainer.SYNC_WARMUP, 5L).build();
        assertThat(copy.optimizer().lr()).isEqualTo(0.2);
        assertThat(copy.option("sync-warmup", "0")).isEqualTo("5");
        assertThat(copy.option(PipeSgdTrainer.SYNC_WARMUP)).isEqualTo(5L);
        assertThat(copy.option(PipeSgdTrainer.WIDTH)).isEqualTo(2);
        assertThat(TrainConfig.parseHidden("512, 64")).containsExactly(512, 64);
    }

    @Test
    void eachTrainerOwnsItsOptionsAndDefaults() {
        // An option the trainer does not declare is refused, naming the trainer that has it.
        rejects(b -> b.trainer("sync").option(PipeSgdTrainer.SYNC_WARMUP, 3L)).hasMessageContaining("--sync-warmup 3")
                .hasMessageContaining("trainer sync has no option sync-warmup").hasMessageContaining("belongs to pipe");
        rejects(b -> b.option("no-such", "1")).hasMessageContaining("--option no-such=1")
                .hasMessageContaining("the options of pipe: width, sync-warmup");
        rejects(b -> b.option("width", "two")).hasMessageContaining("width must be an integer, got 'two'");
        // A trainer's own defaults apply where the shared setting is not given, and only there.
        Trainers.register(new TrainerProvider() {
            @Override
            public String name() {
                return "test-defaults";
            }

            @Override
            public String description() {
                return "pipe with other defaults";
            }

            @Override
            public Trainer create() {
                return PipeSgdTrainer.pipelined();
            }

            @Override
            public java.util.List<TrainerOption<?>> options() {
                return java.util.List.of(PipeSgdTrainer.WIDTH);
            }

            @Override
            public TrainerDefaults defaults() {
                return new TrainerDefaults(0.01, 0.5);
            }
        });
        TrainConfig own = base().trainer("test-defaults").build();
        assertThat(own.optimizer().lr()).isEqualTo(0.01);
        assertThat(own.optimizer().momentum()).isEqualTo(0.5);
        assertThat(own.toBuilder().trainer("pipe").build().optimizer().lr()).isEqualTo(0.05);
        assertThat(base().trainer("test-defaults").lr(0.3).build().optimizer().lr()).isEqualTo(0.3);
    }

    @Test
    void badNumbersAreRejected() {
        rejects(b -> b.option(PipeSgdTrainer.WIDTH, 0)).hasMessageContaining("width must be between 1 and 64")
                .hasMessageContaining("got 0").hasMessageContaining("--width");
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
        rejects(b -> b.hidden(256, 0)).hasMessageContaining("hidden layer sizes must be positive");
        rejects(b -> b.hidden()).hasMessageContaining("at least one hidden layer");
        rejects(b -> b.model("transformer")).hasMessageContaining("unknown model 'transformer'");
        rejects(b -> b.trainer("nope")).hasMessageContaining("unknown trainer 'nope'").hasMessageContaining("pipe")
                .hasMessageContaining("sync");
        rejects(b -> b.trainer("sync").option(PipeSgdTrainer.WIDTH, 3))
                .hasMessageContaining("trainer sync is synchronous SGD")
                .hasMessageContaining("--trainer pipe");
        rejects(b -> b.resume(true)).hasMessageContaining("--resume needs --checkpoint-dir");
        rejects(b -> b.evalEvery(-1)).hasMessageContaining("eval-every");
        rejects(b -> b.option(PipeSgdTrainer.SYNC_WARMUP, (long) (-1))).hasMessageContaining("sync-warmup");
        rejects(b -> b.ternaryThreshold(-1f)).hasMessageContaining("ternary threshold must be finite and at least 0");
        rejects(b -> b.ternaryThreshold(Float.POSITIVE_INFINITY)).hasMessageContaining("ternary threshold");
        TrainConfig ternary = base().compression("ternary").ternaryThreshold(3.5f).build();
        assertThat(ternary.collectiveOptions().compression()).isEqualTo(io.ringsgd.collectives.Compression.TERNARY);
        assertThat(ternary.collectiveOptions().ternaryThreshold()).isEqualTo(3.5f);
        assertThat(ternary.toString()).contains("compress=ternary ternary-threshold=3.5");
        assertThat(base().trainer("sync").option(PipeSgdTrainer.WIDTH, 1).build().option(PipeSgdTrainer.SYNC_WIDTH))
                .isEqualTo(1);
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
        rejects(b -> b.outputDir(file)).hasMessageContaining("--out ").hasMessageContaining("is a file");
        rejects(b -> b.outputDir(file.resolve("sub"))).hasMessageContaining("--out ")
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
        assertThat(base().trainer("test-noop").build().options()).isEmpty();
    }
}
