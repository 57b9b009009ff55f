package io.ringsgd.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.pipesgd.data.FashionMnist;
import io.ringsgd.pipesgd.data.IdxArray;
import io.ringsgd.pipesgd.data.IdxWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringsgd train} with bad files and resumes: one line naming the file or option and what to do, status 2, with
 * the reason of the rank that found it; trainers' own options on the command line; epochs counted from 1.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TrainErrorsTest {
    private static final String DATA = "synthetic:train=1200,test=200";

    @TempDir
    Path dir;

    private static Object[] run(String... args) {
        return TrainCommandTest.run(args);
    }

    /** Status 2, exactly one "ringsgd:" line with every text in {@code mentions}, no stack trace. */
    private static void assertOneLine(Object[] r, String... mentions) {
        String err = ((String) r[2]).strip();
        assertThat(r[0]).as("%s", err).isEqualTo(Main.USAGE);
        assertThat(err.lines().filter(l -> l.startsWith("ringsgd: ")).count()).as(err).isEqualTo(1);
        assertThat(err).doesNotContain("unexpected failure").doesNotContain("\tat ");
        for (String m : mentions) {
            assertThat(err).contains(m);
        }
    }

    private Object[] train(Path ckpt, String... extra) {
        String[] base = {"train", "--trainer", "pipe", "--workers", "2", "--model", "softmax", "--data", DATA,
            "--epochs", "2", "--quiet", "--checkpoint-dir", ckpt.toString(), "--checkpoint-every", "20", "--out",
            dir.resolve("out").toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return run(all);
    }

    @Test
    void aCorruptRankFileIsOneLineWithThatRanksReason() throws IOException {
        Path ckpt = dir.resolve("ckpt");
        assertThat(train(ckpt)[0]).isEqualTo(0);
        Path rankFile = ckpt.resolve("checkpoint-000000000074.rank-1.ckpt");
        byte[] bytes = Files.readAllBytes(rankFile);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(rankFile, bytes);
        assertOneLine(train(ckpt, "--resume"), "rank 1: ", rankFile.toString(), "corrupt");
        Files.delete(rankFile);
        Files.delete(ckpt.resolve("checkpoint-000000000074.ckpt"));
        Files.write(ckpt.resolve("checkpoint-000000000060.ckpt"), new byte[] {1, 2, 3});
        assertOneLine(train(ckpt, "--resume"), ckpt.resolve("checkpoint-000000000060.ckpt").toString());
    }

    @Test
    void aChangedLearningRateNeedsTheOverride() {
        Path ckpt = dir.resolve("ckpt");
        assertThat(train(ckpt, "--lr", "0.05")[0]).isEqualTo(0);
        assertOneLine(train(ckpt, "--resume", "--lr", "0.2"), "--lr 0.05", "--lr 0.2", "--resume-override");
        Object[] r = train(ckpt, "--resume", "--lr", "0.2", "--resume-override");
        assertThat(r[0]).as("%s", r[2]).isEqualTo(0);
    }

    /** The four standard files of {@code n} 4x4 images, one train label replaced by {@code badLabel} at 7. */
    private Path idxSet(int n, int badLabel) {
        Path d = dir.resolve("idx-" + badLabel);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (int set = 0; set < 2; set++) {
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                labels[i] = (byte) (i % 10);
            }
            labels[7] = set == 0 ? (byte) badLabel : 0;
            IdxWriter.write(d.resolve(FashionMnist.FILES.get(2 * set)), new IdxArray(new int[] {n, 4, 4},
                    new byte[n * 16]), false);
            IdxWriter.write(d.resolve(FashionMnist.FILES.get(2 * set + 1)), new IdxArray(new int[] {n}, labels),
                    false);
        }
        return d;
    }

    @Test
    void dataFileErrorsAreOneLineNamingTheFile() throws IOException {
        Path bad = idxSet(40, 200);
        assertOneLine(run("train", "--data", "fashion-mnist:" + bad, "--workers", "2", "--quiet", "--out",
                dir.resolve("out").toString()), bad.resolve("train-labels-idx1-ubyte").toString(),
                "label 200 at index 7");
        Path truncated = bad.resolve("t10k-images-idx3-ubyte");
        byte[] b = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(b, b.length - 5));
        assertOneLine(run("train", "--data", bad.toString(), "--workers", "2", "--quiet", "--out",
                dir.resolve("out").toString()), truncated.toString(), "truncated");
    }

    @Test
    void trainersOwnOptionsWorkAsFlagsAndOptionsAndHelpShowsTheirDefaults() {
        Object[] help = run("train", "--help");
        assertThat((String) help[1]).contains("--local-steps").contains("--width").contains("--sync-warmup")
                .contains("defaults: --lr 0.025, --momentum 0.95").contains("defaults: --lr 0.05, --momentum 0.8");
        for (String[] given : new String[][] {{"--local-steps", "3"}, {"--option", "local-steps=3"}}) {
            Object[] r = run("train", "--trainer", "cocod", given[0], given[1], "--workers", "2", "--model",
                    "softmax", "--data", DATA, "--epochs", "1", "--quiet", "--out", dir.resolve("cocod").toString());
            assertThat(r[0]).as("%s", r[2]).isEqualTo(0);
            assertThat(Files.exists(dir.resolve("cocod/summary.json"))).isTrue();
        }
        assertOneLine(run("train", "--trainer", "pipe", "--local-steps", "3", "--data", DATA, "--quiet"),
                "belongs to cocod");
    }

    @Test
    void stragglerAndTheNewTrainersFromTheCommandLine() throws IOException {
        assertOneLine(run("train", "--straggler", "5:2", "--workers", "2", "--data", DATA, "--quiet"),
                "--straggler 5:2 names rank 5 but there are 2 workers");
        assertOneLine(run("train", "--straggler", "two", "--data", DATA, "--quiet"), "is not RANK:FACTOR");
        assertOneLine(run("train", "--trainer", "async", "--lr-schedule", "cosine", "--workers", "3", "--data", DATA,
                "--quiet"), "unknown --lr-schedule 'cosine'");
        Object[] r = run("train", "--trainer", "async", "--lr-schedule", "quasilinear", "--straggler", "2:2",
                "--workers", "3", "--model", "softmax", "--data", DATA, "--epochs", "1", "--quiet", "--out",
                dir.resolve("async").toString());
        assertThat(r[0]).as("%s", r[2]).isEqualTo(0);
        assertThat(Files.readString(dir.resolve("async/summary.json"))).contains("\"delay_histogram\": {")
                .contains("\"lr-schedule\": \"quasilinear\"");
        r = run("train", "--trainer", "ebsp", "--straggler", "1:2", "--workers", "2", "--model", "softmax", "--data",
                DATA, "--epochs", "1", "--quiet", "--out", dir.resolve("ebsp").toString());
        assertThat(r[0]).as("%s", r[2]).isEqualTo(0);
    }

    @Test
    void epochsCountFromOneInTheSummary() throws IOException {
        Object[] r = run("train", "--trainer", "sync", "--workers", "2", "--model", "softmax", "--data", DATA,
                "--epochs", "2", "--quiet", "--out", dir.resolve("out").toString());
        assertThat(r[0]).as("%s", r[2]).isEqualTo(0);
        assertThat((String) r[1]).contains("iterations (epoch 1)").contains("iterations (epoch 2)")
                .doesNotContain("(epoch 0)");
        assertThat(Files.readString(dir.resolve("out/summary.json"))).contains("\"epoch\": 1")
                .doesNotContain("\"epoch\": 0");
    }
}
