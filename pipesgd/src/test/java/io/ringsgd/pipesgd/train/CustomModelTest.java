package io.ringsgd.pipesgd.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.model.Evaluation;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.pipe.PipeSgdTrainer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A user-defined model plugged into the trainers: a linear classifier with a multiclass hinge loss
 * (Crammer–Singer), written only against the {@link Model} SPI.
 */
@Timeout(60)
class CustomModelTest {

    /** Scores s = W·x (no bias, W is classes × features); loss max(0, 1 + max_{j≠y} s_j − s_y). */
    static final class LinearHinge implements Model {
        private final int features;
        private final int classes;
        private final float[] scores;

        LinearHinge(int features, int classes) {
            this.features = features;
            this.classes = classes;
            this.scores = new float[classes];
        }

        @Override
        public String describe() {
            return "linear-hinge " + features + "-" + classes;
        }

        @Override
        public int inputSize() {
            return features;
        }

        @Override
        public int classCount() {
            return classes;
        }

        @Override
        public int parameterCount() {
            return features * classes;
        }

        @Override
        public void initialize(float[] params, long seed) {
            java.util.Arrays.fill(params, 0f);
        }

        private void score(float[] w, float[] x, int row) {
            for (int c = 0; c < classes; c++) {
                float s = 0;
                for (int j = 0; j < features; j++) {
                    s += w[c * features + j] * x[row * features + j];
                }
                scores[c] = s;
            }
        }

        private int rival(int y) {
            int best = y == 0 ? 1 : 0;
            for (int c = 0; c < classes; c++) {
                if (c != y && scores[c] > scores[best]) {
                    best = c;
                }
            }
            return best;
        }

        @Override
        public double lossAndGradient(float[] w, Batch batch, float[] grad) {
            java.util.Arrays.fill(grad, 0f);
            double loss = 0;
            int n = batch.size();
            for (int i = 0; i < n; i++) {
                score(w, batch.features(), i);
                int y = batch.labels()[i];
                int r = rival(y);
                double margin = 1 + scores[r] - scores[y];
                if (margin > 0) {
                    loss += margin;
                    for (int j = 0; j < features; j++) {
                        float xj = batch.features()[i * features + j] / n;
                        grad[r * features + j] += xj;
                        grad[y * features + j] -= xj;
                    }
                }
            }
            return loss / n;
        }

        @Override
        public void evaluateBatch(float[] w, Batch batch, Evaluation.Tally tally) {
            long correct = 0;
            double loss = 0;
            for (int i = 0; i < batch.size(); i++) {
                score(w, batch.features(), i);
                int y = batch.labels()[i];
                int r = rival(y);
                loss += Math.max(0, 1 + scores[r] - scores[y]);
                correct += scores[y] > scores[r] ? 1 : 0;
            }
            tally.add(batch.size(), correct, loss);
        }
    }

    @Test
    void aUserModelTrainsWithPipeSgd() {
        TrainConfig cfg = TrainConfig.builder().trainer("pipe").option(PipeSgdTrainer.WIDTH, 2).workers(3)
                .data(DataSpec.synthetic(1200, 300, 10, 3, 0.1, 4)).modelFactory(LinearHinge::new).epochs(3)
                .batch(8).lr(0.5).momentum(0.5).build();
        assertThat(cfg.model()).isEqualTo("custom");
        List<TrainResult> rs = Communicators.runLocal(3, comm -> Trainers.create("pipe").train(comm, cfg,
                TrainingListener.NONE));
        assertThat(rs.get(0).model()).isEqualTo("linear-hinge 10-3");
        assertThat(rs.get(0).finalTestAccuracy()).isGreaterThan(0.9);
        assertThat(rs.get(1).paramsSha256()).isEqualTo(rs.get(0).paramsSha256());
        assertThat(rs.get(2).paramsSha256()).isEqualTo(rs.get(0).paramsSha256());
    }
}
