package io.ringsgd.pipesgd.data;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Makes the embedded Fashion-MNIST subset from the full files: the first {@code perClass} images of each class, in
 * file order. Run by maintainers (not a test):
 * {@code java -cp ... io.ringsgd.pipesgd.data.EmbeddedSubsetMaker /usr/share/datasets/fashion-mnist
 * src/main/resources/io/ringsgd/pipesgd/data/fashion-mnist-subset 1000 200}.
 */
public final class EmbeddedSubsetMaker {
    private EmbeddedSubsetMaker() {
    }

    public static void main(String[] args) {
        Path from = Paths.get(args[0]);
        Path to = Paths.get(args[1]);
        int trainPerClass = Integer.parseInt(args[2]);
        int testPerClass = Integer.parseInt(args[3]);
        write(from, to, 0, trainPerClass);
        write(from, to, 2, testPerClass);
    }

    static void write(Path from, Path to, int first, int perClass) {
        IdxArray images = IdxReader.read(FashionMnist.find(from, FashionMnist.FILES.get(first)),
                IdxArray.MAGIC_IMAGES);
        IdxArray labels = IdxReader.read(FashionMnist.find(from, FashionMnist.FILES.get(first + 1)),
                IdxArray.MAGIC_LABELS);
        IdxArray[] subset = balancedSubset(images, labels, perClass);
        IdxWriter.write(to.resolve(FashionMnist.FILES.get(first) + ".gz"), subset[0], true);
        IdxWriter.write(to.resolve(FashionMnist.FILES.get(first + 1) + ".gz"), subset[1], true);
    }

    /** The first {@code perClass} samples of each label, in file order: {images, labels}. */
    static IdxArray[] balancedSubset(IdxArray images, IdxArray labels, int perClass) {
        int n = images.dim(0);
        int pixels = images.dim(1) * images.dim(2);
        int[] taken = new int[256];
        int classes = FashionMnist.classCount(labels, labels);
        byte[] x = new byte[classes * perClass * pixels];
        byte[] y = new byte[classes * perClass];
        int m = 0;
        for (int i = 0; i < n && m < y.length; i++) {
            int c = labels.data()[i] & 0xFF;
            if (taken[c] < perClass) {
                taken[c]++;
                System.arraycopy(images.data(), i * pixels, x, m * pixels, pixels);
                y[m++] = (byte) c;
            }
        }
        if (m != y.length) {
            throw new IllegalStateException("only " + m + " samples for " + classes + " classes x " + perClass);
        }
        return new IdxArray[] {new IdxArray(new int[] {m, images.dim(1), images.dim(2)}, x),
            new IdxArray(new int[] {m}, y)};
    }
}
