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

    /**
     * Loads the four files of {@code dir}; {@code label} names the data set in descriptions. With {@code classes} > 0
     * (Fashion-MNIST, MNIST: {@value #CLASSES}) every label must be below it; with 0 the labels found decide, and the
     * description says how many classes there are. All four headers are read and checked against each other, and
     * their sizes against the heap, before any payload is read: a wrong or oversized file costs no time or memory.
     */
    public static TrainTestData load(Path dir, String label, int classes) {
        List<String> missing = missingFiles(dir);
        if (!missing.isEmpty()) {
            throw new DataFileException(dir.toString(), "lacks " + String.join(", ", missing)
                    + " (plain or .gz): copy the files there or pass another --data");
        }
        Path[] files = new Path[FILES.size()];
        int[][] dims = new int[FILES.size()][];
        long payload = 0;
        for (int i = 0; i < files.length; i++) {
            files[i] = find(dir, FILES.get(i));
            dims[i] = IdxReader.readDims(files[i], i % 2 == 0 ? IdxArray.MAGIC_IMAGES : IdxArray.MAGIC_LABELS);
            long n = 1;
            for (int d : dims[i]) {
                n *= d;
            }
            payload += n;
        }
        checkShapes(files, dims);
        IdxReader.requireHeap(label + " in " + dir, payload);
        IdxArray trainImages = IdxReader.read(files[0], IdxArray.MAGIC_IMAGES);
        IdxArray trainLabels = IdxReader.read(files[1], IdxArray.MAGIC_LABELS);
        IdxArray testImages = IdxReader.read(files[2], IdxArray.MAGIC_IMAGES);
        IdxArray testLabels = IdxReader.read(files[3], IdxArray.MAGIC_LABELS);
        int k = classes;
        if (k > 0) {
            checkLabels(trainLabels, files[1].toString(), label, k);
            checkLabels(testLabels, files[3].toString(), label, k);
        } else {
            k = classCount(trainLabels, testLabels);
        }
        Dataset train = dataset(label + " train", trainImages, files[0].toString(), trainLabels, files[1].toString(),
                k);
        Dataset test = dataset(label + " test", testImages, files[2].toString(), testLabels, files[3].toString(), k);
        return new TrainTestData(train, test, label + " from " + dir + " (" + train.size() + " train, "
                + test.size() + " test images" + (classes > 0 ? "" : ", " + k + " classes") + ")", false);
    }

    /**
     * The headers of train images, train labels, test images, test labels agree: images are 3-dimensional, labels
     * 1-dimensional, each label file has one label per image, and test images have the train images' size.
     */
    private static void checkShapes(Path[] files, int[][] dims) {
        for (int i = 0; i < files.length; i++) {
            int want = i % 2 == 0 ? 3 : 1;
            if (dims[i].length != want) {
                throw new DataFileException(files[i].toString(), "has " + dims[i].length + " dimensions, "
                        + (want == 3 ? "images" : "labels") + " need " + want);
            }
        }
        for (int i = 0; i < files.length; i += 2) {
            if (dims[i][0] != dims[i + 1][0]) {
                throw new DataFileException(files[i + 1].toString(), "has " + dims[i + 1][0] + " labels but "
                        + files[i] + " has " + dims[i][0] + " images: the files must belong together");
            }
        }
        if (dims[0][1] != dims[2][1] || dims[0][2] != dims[2][2]) {
            throw new DataFileException(files[2].toString(), "holds images of " + dims[2][1] + "x" + dims[2][2]
                    + " pixels but " + files[0] + " holds " + dims[0][1] + "x" + dims[0][2] + ": the files must"
                    + " belong together");
        }
    }

    /** Every label of {@code labels} (from {@code file}) is below {@code classes}. */
    private static void checkLabels(IdxArray labels, String file, String label, int classes) {
        byte[] data = labels.data();
        for (int i = 0; i < data.length; i++) {
            int y = data[i] & 0xFF;
            if (y >= classes) {
                throw new DataFileException(file, "label " + y + " at index " + i + " is outside the " + classes
                        + " classes of " + label + " (0 to " + (classes - 1) + "): the file is corrupt or belongs to"
                        + " another data set; copy it again, or pass the directory as --data DIR to train on the"
                        + " classes it has");
            }
        }
    }

    /** Loads the embedded subset from the class path. */
    public static TrainTestData loadEmbedded() {
        String r = EMBEDDED_RESOURCES;
        IdxArray trainImages = IdxReader.readResource(r + FILES.get(0) + ".gz", IdxArray.MAGIC_IMAGES);
        IdxArray trainLabels = IdxReader.readResource(r + FILES.get(1) + ".gz", IdxArray.MAGIC_LABELS);
        IdxArray testImages = IdxReader.readResource(r + FILES.get(2) + ".gz", IdxArray.MAGIC_IMAGES);
        IdxArray testLabels = IdxReader.readResource(r + FILES.get(3) + ".gz", IdxArray.MAGIC_LABELS);
        checkLabels(trainLabels, r + FILES.get(1) + ".gz", "Fashion-MNIST", CLASSES);
        checkLabels(testLabels, r + FILES.get(3) + ".gz", "Fashion-MNIST", CLASSES);
        int classes = CLASSES;
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
