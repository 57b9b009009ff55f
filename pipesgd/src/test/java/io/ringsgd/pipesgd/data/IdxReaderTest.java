package io.ringsgd.pipesgd.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** IDX files the test writes itself: round trips (plain and gzip) and every error case. */
@Timeout(30)
class IdxReaderTest {
    @TempDir
    Path dir;

    private static IdxArray images(int n, int rows, int cols, int salt) {
        byte[] data = new byte[n * rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + salt);
        }
        return new IdxArray(new int[] {n, rows, cols}, data);
    }

    private static IdxArray labels(int n, int classes) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i % classes);
        }
        return new IdxArray(new int[] {n}, data);
    }

    @Test
    void roundTripPlainAndGzip() {
        IdxArray img = images(5, 3, 4, 7);
        for (boolean gz : new boolean[] {false, true}) {
            Path f = dir.resolve("img" + gz);
            IdxWriter.write(f, img, gz);
            IdxArray back = IdxReader.read(f, IdxArray.MAGIC_IMAGES);
            assertThat(back.dims()).containsExactly(5, 3, 4);
            assertThat(back.data()).containsExactly(img.data());
            // any magic accepted with 0
            assertThat(IdxReader.read(f, 0).rank()).isEqualTo(3);
        }
        Path l = dir.resolve("labels.gz");
        IdxWriter.write(l, labels(5, 3), true);
        assertThat(IdxReader.read(l, IdxArray.MAGIC_LABELS).data()).containsExactly(0, 1, 2, 0, 1);
    }

    @Test
    void gzipIsDetectedByMagicNotByName() {
        Path f = dir.resolve("plain-name-but-gzip");
        IdxWriter.write(f, images(2, 2, 2, 1), true);
        assertThat(IdxReader.read(f, IdxArray.MAGIC_IMAGES).dim(0)).isEqualTo(2);
        Path g = dir.resolve("looks.gz");
        IdxWriter.write(g, images(2, 2, 2, 1), false);
        assertThat(IdxReader.read(g, IdxArray.MAGIC_IMAGES).dim(0)).isEqualTo(2);
    }

    @Test
    void wrongMagicNamesTheFile() {
        Path f = dir.resolve("labels-as-images");
        IdxWriter.write(f, labels(4, 2), false);
        assertThatThrownBy(() -> IdxReader.read(f, IdxArray.MAGIC_IMAGES)).isInstanceOf(DataFileException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("bad magic number 0x00000801")
                .hasMessageContaining("expected 0x00000803");
        Path junk = dir.resolve("junk.txt");
        write(junk, "hello world, not idx".getBytes());
        assertThatThrownBy(() -> IdxReader.read(junk, IdxArray.MAGIC_LABELS)).hasMessageContaining(junk.toString())
                .hasMessageContaining("bad magic");
    }

    @Test
    void truncatedPlainFileIsRejectedBeforeAllocating() {
        Path f = dir.resolve("short");
        IdxWriter.write(f, images(10, 4, 4, 0), false);
        byte[] all = read(f);
        write(f, Arrays.copyOf(all, all.length - 5));
        assertThatThrownBy(() -> IdxReader.read(f, IdxArray.MAGIC_IMAGES)).isInstanceOf(DataFileException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("truncated")
                .hasMessageContaining("promises 160 data bytes");
        write(f, Arrays.copyOf(all, 6));
        assertThatThrownBy(() -> IdxReader.read(f, IdxArray.MAGIC_IMAGES)).hasMessageContaining("truncated");
        write(f, new byte[0]);
        assertThatThrownBy(() -> IdxReader.read(f, IdxArray.MAGIC_IMAGES)).hasMessageContaining("truncated");
    }

    @Test
    void truncatedGzipStreamIsRejected() throws IOException {
        // A complete gzip stream whose IDX content lacks bytes.
        Path f = dir.resolve("short.gz");
        byte[] idx = idxBytes(images(10, 4, 4, 0));
        gzip(f, Arrays.copyOf(idx, idx.length - 7));
        assertThatThrownBy(() -> IdxReader.read(f, IdxArray.MAGIC_IMAGES)).isInstanceOf(DataFileException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("truncated");
        // A gzip file cut in the middle of the compressed stream.
        Path g = dir.resolve("cut.gz");
        IdxWriter.write(g, images(50, 8, 8, 3), true);
        byte[] all = read(g);
        write(g, Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> IdxReader.read(g, IdxArray.MAGIC_IMAGES)).isInstanceOf(DataFileException.class)
                .hasMessageContaining(g.toString());
    }

    @Test
    void hugeDeclaredLengthDoesNotAllocate() throws IOException {
        // The header claims 2^30 images of 1×1 (1 GiB): plain files fail on the size check, gzip on the data.
        ByteBuffer b = ByteBuffer.allocate(16 + 10);
        b.putInt(IdxArray.MAGIC_IMAGES).putInt(1 << 30).putInt(1).putInt(1);
        Path plain = dir.resolve("liar");
        write(plain, b.array());
        assertThatThrownBy(() -> IdxReader.read(plain, IdxArray.MAGIC_IMAGES)).hasMessageContaining("truncated")
                .hasMessageContaining("promises 1073741824 data bytes");
        Path gz = dir.resolve("liar.gz");
        gzip(gz, b.array());
        assertThatThrownBy(() -> IdxReader.read(gz, IdxArray.MAGIC_IMAGES)).hasMessageContaining("truncated")
                .hasMessageContaining("ends after 10");
        // More than 2 GiB is refused from the header alone.
        ByteBuffer c = ByteBuffer.allocate(16);
        c.putInt(IdxArray.MAGIC_IMAGES).putInt(1 << 20).putInt(1 << 10).putInt(1 << 10);
        Path huge = dir.resolve("huge");
        write(huge, c.array());
        assertThatThrownBy(() -> IdxReader.read(huge, IdxArray.MAGIC_IMAGES)).hasMessageContaining("2 GiB");
    }

    @Test
    void trailingBytesAreRejected() {
        Path f = dir.resolve("long");
        IdxWriter.write(f, labels(4, 2), false);
        byte[] all = read(f);
        write(f, Arrays.copyOf(all, all.length + 3));
        assertThatThrownBy(() -> IdxReader.read(f, IdxArray.MAGIC_LABELS)).hasMessageContaining("3 bytes after");
    }

    @Test
    void missingFileIsNamed() {
        Path f = dir.resolve("nope-idx3-ubyte");
        assertThatThrownBy(() -> IdxReader.read(f, IdxArray.MAGIC_IMAGES)).isInstanceOf(DataFileException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("not found");
    }

    @Test
    void labelImageCountMismatchNamesBothFiles() {
        writeSet(dir, 6, 5, 3);
        assertThatThrownBy(() -> FashionMnist.load(dir, "test data", 0)).isInstanceOf(DataFileException.class)
                .hasMessageContaining("has 5 labels").hasMessageContaining("has 6 images")
                .hasMessageContaining("train-labels-idx1-ubyte").hasMessageContaining("train-images-idx3-ubyte");
    }

    @Test
    void directoryWithTheFourFilesLoads() {
        writeSet(dir, 12, 12, 4);
        TrainTestData d = FashionMnist.load(dir, "test data", 0);
        assertThat(d.train().size()).isEqualTo(12);
        assertThat(d.test().size()).isEqualTo(12);
        assertThat(d.featureCount()).isEqualTo(9);
        assertThat(d.classCount()).isEqualTo(4);
        assertThat(d.embeddedSubset()).isFalse();
        assertThat(d.description()).contains(dir.toString());
        // Bytes are scaled to [0, 1].
        float[] x = new float[9];
        d.train().copyFeatures(1, x, 0);
        assertThat(x[0]).isEqualTo((d.train().featureByte(1, 0)) / 255f);
        assertThat(DataSets.loadUncached(DataSpec.directory(dir)).train().size()).isEqualTo(12);
    }

    @Test
    void directoryWithoutTheFilesIsAOneLineError() {
        assertThatThrownBy(() -> DataSpec.directory(dir).check()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("train-images-idx3-ubyte")
                .hasMessageContaining("t10k-labels-idx1-ubyte").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> DataSpec.directory(dir.resolve("absent")).check())
                .hasMessageContaining("does not exist");
    }

    @Test
    void missingDefaultDirectoryFallsBackToTheEmbeddedSubset() {
        DataSpec spec = DataSpec.fashionMnist(dir.resolve("not-installed"));
        TrainTestData d = DataSets.loadUncached(spec);
        assertThat(d.embeddedSubset()).isTrue();
        assertThat(d.description()).contains("embedded").contains("not-installed");
        assertThat(d.train().size()).isEqualTo(10000);
        assertThat(d.test().size()).isEqualTo(2000);
        assertThat(d.featureCount()).isEqualTo(784);
        int[] perClass = new int[10];
        for (int i = 0; i < d.train().size(); i++) {
            perClass[d.train().label(i)]++;
        }
        assertThat(perClass).containsOnly(1000);
    }

    @Test
    void embeddedSubsetIsTheFirstImagesOfEachClassOfTheDebianFiles() {
        Path debian = FashionMnist.DEFAULT_DIR;
        org.junit.jupiter.api.Assumptions.assumeTrue(FashionMnist.missingFiles(debian).isEmpty(),
                "Fashion-MNIST is not installed in " + debian);
        IdxArray[] expected = EmbeddedSubsetMaker.balancedSubset(
                IdxReader.read(FashionMnist.find(debian, FashionMnist.FILES.get(2)), IdxArray.MAGIC_IMAGES),
                IdxReader.read(FashionMnist.find(debian, FashionMnist.FILES.get(3)), IdxArray.MAGIC_LABELS), 200);
        TrainTestData embedded = FashionMnist.loadEmbedded();
        for (int i = 0; i < 2000; i++) {
            assertThat(embedded.test().label(i)).isEqualTo(expected[1].data()[i]);
        }
        assertThat(embedded.test().featureByte(1999, 400)).isEqualTo(expected[0].data()[1999 * 784 + 400] & 0xFF);
    }

    /** Writes the four standard files with {@code nImages} train images and {@code nLabels} train labels. */
    static void writeSet(Path d, int nImages, int nLabels, int classes) {
        IdxWriter.write(d.resolve("train-images-idx3-ubyte.gz"), images(nImages, 3, 3, 1), true);
        IdxWriter.write(d.resolve("train-labels-idx1-ubyte"), labels(nLabels, classes), false);
        IdxWriter.write(d.resolve("t10k-images-idx3-ubyte"), images(nImages, 3, 3, 2), false);
        IdxWriter.write(d.resolve("t10k-labels-idx1-ubyte.gz"), labels(nImages, classes), true);
    }

    private static byte[] idxBytes(IdxArray a) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IdxWriter.write(out, a);
        return out.toByteArray();
    }

    private static void gzip(Path f, byte[] content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write(content);
        }
    }

    private static void write(Path f, byte[] b) {
        try {
            Files.write(f, b);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
