package io.ringsgd.pipesgd.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a data directory must get right before training starts: labels inside the classes of a named data set
 * (Fashion-MNIST, MNIST), the four headers agreeing with each other before any payload is read (a gzip "bomb" or a
 * mismatched file costs no time or memory), and data larger than the heap refused in one line.
 */
@Timeout(60)
class DataFilesCheckTest {
    @TempDir
    Path dir;

    /** The four standard files: {@code n} images of 4x4 pixels per set, labels {@code i % 10}, one label replaced. */
    private void writeSet(int n, int badIndex, int badLabel) {
        for (int set = 0; set < 2; set++) {
            byte[] pixels = new byte[n * 16];
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                labels[i] = (byte) (i % 10);
                pixels[i * 16] = (byte) i;
            }
            if (set == 0 && badIndex >= 0) {
                labels[badIndex] = (byte) badLabel;
            }
            IdxWriter.write(dir.resolve(FashionMnist.FILES.get(2 * set)), new IdxArray(new int[] {n, 4, 4}, pixels),
                    false);
            IdxWriter.write(dir.resolve(FashionMnist.FILES.get(2 * set + 1) + ".gz"), new IdxArray(new int[] {n},
                    labels), true);
        }
    }

    @Test
    void aLabelOutsideFashionMnistsTenClassesNamesTheFileAndTheIndex() {
        writeSet(50, 17, 200);
        for (String form : new String[] {"fashion-mnist:", "mnist:"}) {
            DataSpec spec = DataSpec.parse(form + dir);
            assertThatThrownBy(() -> DataSets.loadUncached(spec)).isInstanceOf(DataFileException.class)
                    .hasMessageContaining(dir.resolve("train-labels-idx1-ubyte.gz").toString())
                    .hasMessageContaining("label 200 at index 17").hasMessageContaining("10 classes")
                    .hasMessageNotContaining("\n");
        }
        writeSet(50, 3, 10);
        assertThatThrownBy(() -> DataSets.loadUncached(DataSpec.parse("fashion-mnist:" + dir)))
                .hasMessageContaining("label 10 at index 3");
    }

    @Test
    void otherIdxDataTakesTheClassesItHasAndSaysHowMany() {
        writeSet(50, 17, 200);
        TrainTestData d = DataSets.loadUncached(DataSpec.parse(dir.toString()));
        assertThat(d.classCount()).isEqualTo(201);
        assertThat(d.description()).contains("201 classes");
        writeSet(50, -1, 0);
        assertThat(DataSets.loadUncached(DataSpec.parse("fashion-mnist:" + dir)).classCount()).isEqualTo(10);
    }

    /** An IDX file whose header promises {@code dims} but whose payload stops after {@code bytes} bytes. */
    private static void gzipHeaderOnly(Path f, int magic, int[] dims, int bytes) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f));
                DataOutputStream d = new DataOutputStream(out)) {
            d.writeInt(magic);
            for (int x : dims) {
                d.writeInt(x);
            }
            d.write(new byte[bytes]);
        }
    }

    @Test
    void headersAreCrossCheckedBeforeAnyPayloadIsRead() throws IOException {
        // The train images promise 60000 images but hold almost none: reading them first would fail on that.
        gzipHeaderOnly(dir.resolve("train-images-idx3-ubyte.gz"), IdxArray.MAGIC_IMAGES, new int[] {60000, 28, 28},
                100);
        gzipHeaderOnly(dir.resolve("train-labels-idx1-ubyte.gz"), IdxArray.MAGIC_LABELS, new int[] {59999}, 10);
        gzipHeaderOnly(dir.resolve("t10k-images-idx3-ubyte.gz"), IdxArray.MAGIC_IMAGES, new int[] {10, 28, 28}, 0);
        gzipHeaderOnly(dir.resolve("t10k-labels-idx1-ubyte.gz"), IdxArray.MAGIC_LABELS, new int[] {10}, 0);
        assertThatThrownBy(() -> DataSets.loadUncached(DataSpec.parse(dir.toString())))
                .isInstanceOf(DataFileException.class).hasMessageContaining("has 59999 labels")
                .hasMessageContaining("has 60000 images").hasMessageNotContaining("truncated");
        // Test images of another size than the train images.
        gzipHeaderOnly(dir.resolve("train-labels-idx1-ubyte.gz"), IdxArray.MAGIC_LABELS, new int[] {60000}, 10);
        gzipHeaderOnly(dir.resolve("t10k-images-idx3-ubyte.gz"), IdxArray.MAGIC_IMAGES, new int[] {10, 32, 32}, 0);
        assertThatThrownBy(() -> DataSets.loadUncached(DataSpec.parse(dir.toString())))
                .isInstanceOf(DataFileException.class).hasMessageContaining("32x32")
                .hasMessageContaining("28x28").hasMessageNotContaining("truncated");
    }

    @Test
    void dataLargerThanTheHeapIsRefusedInOneLineBeforeReading() throws IOException {
        long max = Runtime.getRuntime().maxMemory();
        Assumptions.assumeTrue(max < 3_000_000_000L, "the test needs a heap below 3 GB, this one has " + max);
        // 2.1 GB of train images and 1 GB of test images, as headers promise them (a small gzip "bomb").
        gzipHeaderOnly(dir.resolve("train-images-idx3-ubyte.gz"), IdxArray.MAGIC_IMAGES, new int[] {2100, 1000, 1000},
                1000);
        gzipHeaderOnly(dir.resolve("train-labels-idx1-ubyte.gz"), IdxArray.MAGIC_LABELS, new int[] {2100}, 10);
        gzipHeaderOnly(dir.resolve("t10k-images-idx3-ubyte.gz"), IdxArray.MAGIC_IMAGES, new int[] {1000, 1000, 1000},
                0);
        gzipHeaderOnly(dir.resolve("t10k-labels-idx1-ubyte.gz"), IdxArray.MAGIC_LABELS, new int[] {1000}, 0);
        assertThatThrownBy(() -> DataSets.loadUncached(DataSpec.parse(dir.toString())))
                .isInstanceOf(DataFileException.class).hasMessageContaining(dir.toString())
                .hasMessageContaining("of heap").hasMessageContaining("-Xmx").hasMessageNotContaining("\n");
    }
}
