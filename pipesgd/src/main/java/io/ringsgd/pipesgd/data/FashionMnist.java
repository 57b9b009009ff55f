package io.ringsgd.pipesgd.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * MNIST-style data sets in IDX files (Fashion-MNIST, MNIST): the standard file names, loading from a directory, and
 * the embedded class-balanced Fashion-MNIST subset shipped in this jar (Fashion-MNIST is © Zalando SE, MIT license).
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
    public static final String DEFAULT_DIR_NAME = "/usr/share/datasets/fashion-mnist";
    /** {@link #DEFAULT_DIR_NAME} as a path. */
    public static final Path DEFAULT_DIR = Paths.get(DEFAULT_DIR_NAME);

    /** Classes of Fashion-MNIST and MNIST: labels 0 to 9. */
    public static final int CLASSES = 10;
    /** Features of a Fashion-MNIST or MNIST image: 28 x 28 pixels. */
    public static final int FEATURES = 28 * 28;

    /** Base names of the four files, in the order train images, train labels, test images, test labels. */
    public static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /** Class-path folder of the embedded subset. */
    public static final String EMBEDDED_RESOURCES = "/io/ringsgd/pipesgd/data/fashion-mnist-subset/";

    private FashionMnist() {
    }

    /** The file for {@code base} in {@code dir}: {@code base.gz} if present, else {@code base}, else null. */
    public static Path find(Path dir, String base) {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(base);
        return Files.isRegularFile(plain) ? plain : null;
    }

    /** Base names of the standard files missing from {@code dir}. */
    public static List<String> missingFiles(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String f : FILES) {
            if (find(dir, f) == null) {
                missing.add(f);
            }
        }
        return missing;
    }

    /** Loads the four files of {@code dir}; {@code label} names the data set in descriptions. */
    public static TrainTestData load(Path dir, String label) {
        List<String> missing = missingFiles(dir);
        if (!missing.isEmpty()) {
            throw new DataFileException(dir.toString(), "lacks " + String.join(", ", missing)
                    + " (plain or .gz): copy the files there or pass another --data");
        }
        IdxArray trainImages = IdxReader.read(find(dir, FILES.get(0)), IdxArray.MAGIC_IMAGES);
        IdxArray trainLabels = IdxReader.read(find(dir, FILES.get(1)), IdxArray.MAGIC_LABELS);
        IdxArray testImages = IdxReader.read(find(dir, FILES.get(2)), IdxArray.MAGIC_IMAGES);
        IdxArray testLabels = IdxReader.read(find(dir, FILES.get(3)), IdxArray.MAGIC_LABELS);
        int classes = classCount(trainLabels, testLabels);
        Dataset train = dataset(label + " train", trainImages, find(dir, FILES.get(0)).toString(), trainLabels,
                find(dir, FILES.get(1)).toString(), classes);
        Dataset test = dataset(label + " test", testImages, find(dir, FILES.get(2)).toString(), testLabels,
                find(dir, FILES.get(3)).toString(), classes);
        return new TrainTestData(train, test, label + " from " + dir + " (" + train.size() + " train, "
                + test.size() + " test images)", false);
    }

    /** Loads the embedded subset from the class path. */
    public static TrainTestData loadEmbedded() {
        String r = EMBEDDED_RESOURCES;
        IdxArray trainImages = IdxReader.readResource(r + FILES.get(0) + ".gz", IdxArray.MAGIC_IMAGES);
        IdxArray trainLabels = IdxReader.readResource(r + FILES.get(1) + ".gz", IdxArray.MAGIC_LABELS);
        IdxArray testImages = IdxReader.readResource(r + FILES.get(2) + ".gz", IdxArray.MAGIC_IMAGES);
        IdxArray testLabels = IdxReader.readResource(r + FILES.get(3) + ".gz", IdxArray.MAGIC_LABELS);
        int classes = classCount(trainLabels, testLabels);
        Dataset train = dataset("fashion-mnist-subset train", trainImages, r + FILES.get(0) + ".gz", trainLabels,
                r + FILES.get(1) + ".gz", classes);
        Dataset test = dataset("fashion-mnist-subset test", testImages, r + FILES.get(2) + ".gz", testLabels,
                r + FILES.get(3) + ".gz", classes);
        return new TrainTestData(train, test, "embedded Fashion-MNIST subset (" + train.size() + " train, " + test.size()
                + " test images, class-balanced; the full set is in the Debian package dataset-fashion-mnist)", true);
    }

    /** Number of classes of a task whose labels are {@code a} and {@code b}: the largest label plus one. */
    public static int classCount(IdxArray a, IdxArray b) {
        int max = 1;
        for (byte v : a.data()) {
            max = Math.max(max, v & 0xFF);
        }
        for (byte v : b.data()) {
            max = Math.max(max, v & 0xFF);
        }
        return max + 1;
    }

    /** A data set of {@code classes} classes from an image file and a label file, checking that they agree. */
    public static Dataset dataset(String name, IdxArray images, String imagesFile, IdxArray labels,
            String labelsFile, int classes) {
        if (images.rank() != 3) {
            throw new DataFileException(imagesFile, "has " + images.rank() + " dimensions, images need 3");
        }
        if (labels.rank() != 1) {
            throw new DataFileException(labelsFile, "has " + labels.rank() + " dimensions, labels need 1");
        }
        if (images.dim(0) != labels.dim(0)) {
            throw new DataFileException(labelsFile, "has " + labels.dim(0) + " labels but " + imagesFile + " has "
                    + images.dim(0) + " images: the files must belong together");
        }
        int features = images.dim(1) * images.dim(2);
        if (features < 1) {
            throw new DataFileException(imagesFile, "images of " + images.dim(1) + "x" + images.dim(2)
                    + " pixels have no features");
        }
        return new Dataset(name, images.data(), labels.data(), features, classes);
    }
}
