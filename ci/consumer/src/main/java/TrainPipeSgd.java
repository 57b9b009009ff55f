import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.pipesgd.pipe.PipeSgdTrainer;
import io.ringsgd.pipesgd.train.EvaluationStats;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.util.List;

/** Pipe-SGD from Java code: 2 ranks as threads of this JVM train softmax regression on generated data. */
public final class TrainPipeSgd {
    public static void main(String[] args) {
        TrainConfig cfg = TrainConfig.builder()
                .trainer("pipe")
                .option(PipeSgdTrainer.WIDTH, 2)  // the AllReduce of step t's gradient overlaps step t+1
                .workers(2)                       // ranks: the communicator must have as many
                .model("softmax")                 // or "mlp" with .hidden(256, 128), or .modelFactory(yours)
                .data("synthetic:train=4000,test=1000,features=16,classes=4")  // or "fashion-mnist", "mnist:DIR"
                .epochs(2)
                .batch(16)                        // samples per worker and step
                .lr(0.05)
                .build();                         // a bad setting: IllegalArgumentException, one line

        // Called on the training thread of the rank it was given to; keep it short.
        TrainingListener progress = new TrainingListener() {
            @Override
            public void onEvaluation(EvaluationStats e) {
                System.out.printf("after %d iterations: test accuracy %.2f %%%n", e.iterations(),
                        100 * e.testAccuracy());
            }
        };

        // One thread per rank; train blocks until the run is over and returns this rank's result.
        List<TrainResult> results = Communicators.runLocal(cfg.workers(), comm -> {
            float[] one = {1};
            comm.allreduce(one, ReduceOp.SUM);  // the trainer's communicator is yours too
            if (one[0] != comm.size()) {
                throw new IllegalStateException("allreduce gave " + one[0] + ", not " + comm.size());
            }
            return Trainers.create("pipe").train(comm, cfg, comm.rank() == 0 ? progress : TrainingListener.NONE);
        });

        TrainResult r = results.get(0);
        System.out.printf("%s width %d: %d iterations of %.2f ms, test accuracy %.2f %%, parameters sha256 %s%n",
                r.trainer(), r.width(), r.iterations(), r.meanIterationMs(), 100 * r.finalTestAccuracy(),
                r.paramsSha256());
        float[] weights = r.parameters();  // the trained model: the same bits on every rank
        if (results.stream().map(TrainResult::paramsSha256).distinct().count() != 1
                || weights.length != r.parameterCount() || r.finalTestAccuracy() < 0.5) {
            throw new IllegalStateException("training went wrong: " + results);
        }
    }
}
